/**
 * `kanade account invite|invitations|invitation revoke` (admins) and `kanade password-reset <username>`
 * (anyone: asks the backend to mail a reset link).
 */
import type { Command } from "commander";
import { ROLES, roleSchema, type InvitationView } from "@kanade/protocol";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { badInput } from "../../errors.js";
import { printJson, renderTable } from "../../output.js";

/** The `account` command `manage.ts` registered. */
function accountCommand(program: Command): Command {
  const found = program.commands.find((c) => c.name() === "account");
  if (!found) throw new Error("register the account commands before account invitations");
  return found;
}

const row = (i: InvitationView): (string | null)[] => [i.id, i.email, i.role, i.state, i.expires_at, i.username, i.created_by];

export function register(program: Command, deps: Deps): void {
  const account = accountCommand(program);

  withJson(account.command("invite"))
    .description("mail an invitation link: the invitee picks a username and password (single use, expires)")
    .argument("<email>")
    .requiredOption("--role <role>", `one of ${ROLES.join(", ")}`)
    .option("--expires <duration>", "how long the link works, e.g. 72h or 7d (default 72h, at most 30d)")
    .action(async (email: string, opts: { role: string; expires?: string }, cmd: Command) => {
      const role = roleSchema.safeParse(opts.role);
      if (!role.success) throw badInput(`unknown role "${opts.role}"`, [{ path: "role", message: `expected one of ${ROLES.join(", ")}` }]);
      const v = await deps.client.call("createInvitation", { body: { email, role: role.data, ...(opts.expires ? { expires: opts.expires } : {}) } });
      if (wantsJson(cmd)) return printJson(deps.io, v);
      deps.io.out(`invited ${v.email} as ${v.role}; the link works until ${v.expires_at} (invitation ${v.id})\n`);
    });

  withJson(account.command("invitations"))
    .description("list invitations: pending, used, expired, revoked")
    .action(async (_opts: unknown, cmd: Command) => {
      const { items } = await deps.client.call("listInvitations");
      if (wantsJson(cmd)) return printJson(deps.io, items);
      deps.io.out(renderTable(["ID", "EMAIL", "ROLE", "STATE", "EXPIRES", "ACCOUNT", "BY"], items.map(row)));
    });

  const invitation = account.command("invitation").description("one invitation");
  withJson(invitation.command("revoke"))
    .description("revoke a pending invitation: its link stops working")
    .argument("<id>")
    .action(async (id: string, _opts: unknown, cmd: Command) => {
      const r = await deps.client.call("revokeInvitation", { params: { id } });
      if (wantsJson(cmd)) return printJson(deps.io, r);
      deps.io.out(`revoked invitation ${r.id}\n`);
    });

  withJson(program.command("password-reset"))
    .description("mail a password-reset link to the account's e-mail address (the answer is the same whether or not it exists)")
    .argument("<username>")
    .action(async (username: string, _opts: unknown, cmd: Command) => {
      const r = await deps.client.call("requestPasswordReset", { body: { username } });
      if (wantsJson(cmd)) return printJson(deps.io, r);
      deps.io.out(`if "${username}" has an e-mail address, a reset link is on its way (it works once, within an hour)\n`);
    });
}
