import type { Command } from "commander";
import { isSecondFactorRequired, type LoginResponse } from "@kanade/protocol";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { badInput } from "../../errors.js";
import { printJson } from "../../output.js";
import { promptSecret, readStdinLines } from "../../secret-input.js";
import { tokenPath, writeStoredToken } from "../../token-store.js";
import { ssoLogin } from "./sso-login.js";

/** Completes a two-factor sign-in with `--code`, `--recovery-code`, or a code typed at the prompt. */
async function secondFactor(deps: Deps, challenge: string, opts: LoginOpts): Promise<LoginResponse> {
  if (opts.recoveryCode !== undefined) return deps.client.call("loginSecondFactor", { body: { challenge, recovery_code: opts.recoveryCode } });
  if (opts.code === undefined && !process.stdin.isTTY) throw badInput("this account uses two-factor sign-in: give --code <6 digits> or --recovery-code <code>");
  const code = opts.code ?? (await promptSecret("two-factor code: ", "--code"));
  if (!code.trim()) throw badInput("this account needs a two-factor code: give --code or --recovery-code");
  return deps.client.call("loginSecondFactor", { body: { challenge, code } });
}

interface LoginOpts {
  username?: string;
  passwordStdin?: boolean;
  code?: string;
  recoveryCode?: string;
  sso?: boolean;
  browser: boolean;
}

/** Keeps the session for later commands and says who is logged in. */
function saved(deps: Deps, session: LoginResponse, cmd: Command): void {
  const path = tokenPath(process.env);
  writeStoredToken(path, session.token);
  if (wantsJson(cmd)) return printJson(deps.io, { username: session.username, role: session.role, expires_at: session.expires_at, must_change_password: session.must_change_password, token_file: path });
  deps.io.out(`logged in as ${session.username} (${session.role}) until ${session.expires_at}\ntoken saved to ${path}\n`);
  if (session.must_change_password) deps.io.err("this account must change its password before anything else: run `kanade password`\n");
}

export function register(program: Command, deps: Deps): void {
  withJson(program.command("login"))
    .description("log in with an account and keep the session token for later commands (KANADE_AUTH_TOKEN still wins)")
    .option("--username <name>", "account name (prompted for on a terminal otherwise)")
    .option("--password-stdin", "read the password from stdin instead of prompting")
    .option("--code <code>", "the 6-digit TOTP code, for accounts with two-factor sign-in (prompted for on a terminal otherwise)")
    .option("--recovery-code <code>", "a single-use recovery code instead of a TOTP code")
    .option("--sso", "sign in with single sign-on in the browser (the backend's [oidc] provider) instead of a password")
    .option("--no-browser", "with --sso: only print the URL to open, do not start a browser")
    .action(async (opts: LoginOpts, cmd: Command) => {
      if (opts.sso && (opts.username !== undefined || opts.passwordStdin || opts.code !== undefined || opts.recoveryCode !== undefined)) {
        throw badInput("--sso signs in at the identity provider: it takes no --username, --password-stdin, --code or --recovery-code");
      }
      if (opts.sso) return saved(deps, await ssoLogin(deps, { browser: opts.browser }), cmd);
      const username = opts.username ?? (process.stdin.isTTY ? (await promptSecret("username: ")).trim() : undefined);
      if (!username) throw badInput("give --username");
      const password = opts.passwordStdin ? ((await readStdinLines())[0] ?? "") : await promptSecret(`password for ${username}: `);
      if (!password) throw badInput("empty password");
      const first = await deps.client.call("login", { body: { username, password } });
      const session = isSecondFactorRequired(first) ? await secondFactor(deps, first.challenge, opts) : first;
      saved(deps, session, cmd);
    });

  withJson(program.command("password"))
    .description("change your own password (with --password-stdin: current then new password, one per line)")
    .option("--password-stdin", "read the current and new password from stdin, one per line")
    .action(async (opts: { passwordStdin?: boolean }, cmd: Command) => {
      let current: string | undefined;
      let next: string | undefined;
      if (opts.passwordStdin) [current, next] = await readStdinLines();
      else {
        current = await promptSecret("current password: ");
        next = await promptSecret("new password: ");
        if ((await promptSecret("new password again: ")) !== next) throw badInput("the new passwords differ");
      }
      if (!current || !next) throw badInput("give the current and the new password");
      const session = await deps.client.call("changePassword", { body: { current_password: current, new_password: next } });
      const path = tokenPath(process.env);
      writeStoredToken(path, session.token);
      if (wantsJson(cmd)) return printJson(deps.io, { username: session.username, changed: true, expires_at: session.expires_at });
      deps.io.out(`password changed for ${session.username}; new session saved to ${path}\n`);
    });
}
