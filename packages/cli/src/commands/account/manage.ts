/** `kanade account list|create|set-role|set-email|disable|enable|delete` (admins only). */
import type { Command } from "commander";
import { ROLES, roleSchema, type AccountSummary, type Role } from "@kanade/protocol";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { badInput } from "../../errors.js";
import { printJson, renderTable } from "../../output.js";
import { promptSecret, readStdinLines } from "../../secret-input.js";

function parseRole(text: string): Role {
  const r = roleSchema.safeParse(text);
  if (!r.success) throw badInput(`unknown role "${text}"`, [{ path: "role", message: `expected one of ${ROLES.join(", ")}` }]);
  return r.data;
}

const line = (a: AccountSummary): string =>
  `${a.username}  ${a.role}${a.disabled ? "  (disabled)" : ""}${a.must_change_password ? "  (must change password)" : ""}\n`;

export function register(program: Command, deps: Deps): void {
  const account = program.command("account").description("manage operator accounts and roles (admin)");

  withJson(account.command("list"))
    .description("list accounts")
    .action(async (_opts: unknown, cmd: Command) => {
      const { items } = await deps.client.call("listAccounts");
      if (wantsJson(cmd)) return printJson(deps.io, items);
      deps.io.out(
        renderTable(
          ["USERNAME", "ROLE", "EMAIL", "DISABLED", "MUST CHANGE PW", "LAST LOGIN"],
          items.map((a) => [a.username, a.role, a.email ?? null, a.disabled ? "yes" : "no", a.must_change_password ? "yes" : "no", a.last_login_at]),
        ),
      );
    });

  withJson(account.command("create"))
    .description("create an account (password prompted, or read from stdin with --password-stdin)")
    .argument("<username>")
    .requiredOption("--role <role>", `one of ${ROLES.join(", ")}`)
    .option("--password-stdin", "read the password from stdin")
    .option("--email <address>", "where password-reset mail goes")
    .action(async (username: string, opts: { role: string; passwordStdin?: boolean; email?: string }, cmd: Command) => {
      const role = parseRole(opts.role);
      const password = opts.passwordStdin ? ((await readStdinLines())[0] ?? "") : await promptSecret(`password for ${username}: `);
      const a = await deps.client.call("createAccount", { body: { username, password, role, ...(opts.email !== undefined ? { email: opts.email } : {}) } });
      if (wantsJson(cmd)) return printJson(deps.io, a);
      deps.io.out(`created ${line(a)}`);
    });

  withJson(account.command("set-role"))
    .description("change an account's role")
    .argument("<username>")
    .argument("<role>", ROLES.join(" | "))
    .action(async (username: string, roleText: string, _opts: unknown, cmd: Command) => {
      const a = await deps.client.call("updateAccount", { params: { username }, body: { role: parseRole(roleText) } });
      if (wantsJson(cmd)) return printJson(deps.io, a);
      deps.io.out(line(a));
    });

  withJson(account.command("set-email"))
    .description("set the address password-reset mail goes to (--clear removes it)")
    .argument("<username>")
    .argument("[address]")
    .option("--clear", "remove the address")
    .action(async (username: string, address: string | undefined, opts: { clear?: boolean }, cmd: Command) => {
      if ((address === undefined) === !opts.clear) throw badInput("give an address or --clear", [{ path: "email", message: "expected an address, or --clear" }]);
      const a = await deps.client.call("updateAccount", { params: { username }, body: { email: opts.clear ? null : (address as string) } });
      if (wantsJson(cmd)) return printJson(deps.io, a);
      deps.io.out(`${a.username}  ${a.email ?? "(no e-mail)"}\n`);
    });

  for (const [verb, disabled] of [["disable", true], ["enable", false]] as const) {
    withJson(account.command(verb))
      .description(disabled ? "disable an account: it cannot log in and its sessions stop working" : "enable a disabled account")
      .argument("<username>")
      .action(async (username: string, _opts: unknown, cmd: Command) => {
        const a = await deps.client.call("updateAccount", { params: { username }, body: { disabled } });
        if (wantsJson(cmd)) return printJson(deps.io, a);
        deps.io.out(line(a));
      });
  }

  withJson(account.command("delete"))
    .description("delete an account")
    .argument("<username>")
    .action(async (username: string, _opts: unknown, cmd: Command) => {
      await deps.client.call("deleteAccount", { params: { username } });
      if (wantsJson(cmd)) return printJson(deps.io, { username, deleted: true });
      deps.io.out(`deleted ${username}\n`);
    });
}
