/** `kanade account totp status|enroll|confirm|disable|reset|policy`: two-factor sign-in with an authenticator app. */
import type { Command } from "commander";
import QRCode from "qrcode";
import { ROLES, roleSchema, type Role } from "@kanade/protocol";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { badInput } from "../../errors.js";
import { printJson } from "../../output.js";

function parseRoles(texts: string[]): Role[] {
  return texts.map((t) => {
    const r = roleSchema.safeParse(t);
    if (!r.success) throw badInput(`unknown role "${t}"`, [{ path: "required_roles", message: `expected one of ${ROLES.join(", ")}` }]);
    return r.data;
  });
}

/** The `account` command `manage.ts` registered, so `totp` sits beside list/create. */
function accountCommand(program: Command): Command {
  const found = program.commands.find((c) => c.name() === "account");
  if (!found) throw new Error("register the account commands before account totp");
  return found;
}

export function register(program: Command, deps: Deps): void {
  const totp = accountCommand(program).command("totp").description("two-factor sign-in with an authenticator app (TOTP)");

  withJson(totp.command("status"))
    .description("whether TOTP is on for your account, whether your role requires it, recovery codes left")
    .action(async (_opts: unknown, cmd: Command) => {
      const s = await deps.client.call("getTotpStatus");
      if (wantsJson(cmd)) return printJson(deps.io, s);
      deps.io.out(`totp: ${s.enabled ? "on" : "off"}${s.required ? " (required for your role)" : ""}; recovery codes left: ${s.recovery_codes_left}\n`);
    });

  withJson(totp.command("enroll"))
    .description("start enrolment: prints the secret, the otpauth:// URI and a QR code to scan; then run `kanade account totp confirm <code>`")
    .option("--no-qr", "do not draw the QR code in the terminal")
    .action(async (opts: { qr: boolean }, cmd: Command) => {
      const e = await deps.client.call("enrollTotp");
      if (wantsJson(cmd)) return printJson(deps.io, e);
      if (opts.qr) deps.io.out(`${(await QRCode.toString(e.otpauth_uri, { type: "terminal", small: true })).trimEnd()}\n`);
      deps.io.out(`secret: ${e.secret}\nuri:    ${e.otpauth_uri}\nscan it (or type the secret) in your authenticator app, then run: kanade account totp confirm <code>\n`);
    });

  withJson(totp.command("confirm"))
    .description("turn TOTP on with the first code from the app; prints 10 single-use recovery codes, shown only now")
    .argument("<code>", "the 6-digit code the app shows")
    .action(async (code: string, _opts: unknown, cmd: Command) => {
      const c = await deps.client.call("confirmTotp", { body: { code } });
      if (wantsJson(cmd)) return printJson(deps.io, c);
      deps.io.out(`two-factor sign-in is on. Recovery codes (each works once; keep them safe, they are not shown again):\n${c.recovery_codes.map((r) => `  ${r}\n`).join("")}`);
    });

  withJson(totp.command("disable"))
    .description("turn TOTP off for your account, with a current code")
    .argument("<code>", "a current 6-digit code")
    .action(async (code: string, _opts: unknown, cmd: Command) => {
      const d = await deps.client.call("disableTotp", { body: { code } });
      if (wantsJson(cmd)) return printJson(deps.io, d);
      deps.io.out(`two-factor sign-in is off for ${d.username}\n`);
    });

  withJson(totp.command("reset"))
    .description("turn TOTP off for another account that lost its authenticator (admin)")
    .argument("<username>")
    .action(async (username: string, _opts: unknown, cmd: Command) => {
      const d = await deps.client.call("resetAccountTotp", { params: { username } });
      if (wantsJson(cmd)) return printJson(deps.io, d);
      deps.io.out(`two-factor sign-in is off for ${d.username}; it can enrol again\n`);
    });

  withJson(totp.command("policy"))
    .description("show, or with --set (admin) change, the roles whose accounts must use TOTP")
    .option("--set <roles...>", `roles that must use TOTP (${ROLES.join(", ")}); --set none for no role`)
    .action(async (opts: { set?: string[] }, cmd: Command) => {
      const roles = opts.set === undefined ? undefined : opts.set.length === 1 && opts.set[0] === "none" ? [] : parseRoles(opts.set);
      const p = roles === undefined ? await deps.client.call("getTotpPolicy") : await deps.client.call("putTotpPolicy", { body: { required_roles: roles } });
      if (wantsJson(cmd)) return printJson(deps.io, p);
      deps.io.out(`totp required for: ${p.required_roles.length > 0 ? p.required_roles.join(", ") : "no role"}\n`);
    });
}
