/** `kanade perm-group list|show|create|delete` and `kanade account set-perm-groups` (admins only). */
import type { Command } from "commander";
import { CAPABILITIES, type PermGroup } from "@kanade/protocol";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { badInput } from "../../errors.js";
import { printJson, renderTable } from "../../output.js";
import { splitList } from "../../targets.js";

const detail = (g: PermGroup): string =>
  [
    `name:          ${g.name}`,
    ...(g.description ? [`description:   ${g.description}`] : []),
    `pc groups:     ${g.pc_groups.join(", ")}`,
    `capabilities:  ${g.capabilities.length ? g.capabilities.join(", ") : "(none: read only)"}`,
    `accounts:      ${g.members.length ? g.members.join(", ") : "(none)"}`,
    `updated:       ${g.updated_at} by ${g.updated_by}`,
  ].join("\n") + "\n";

/** The `account` command `account/manage.ts` registered, so `set-perm-groups` sits beside set-role. */
function accountCommand(program: Command): Command {
  const found = program.commands.find((c) => c.name() === "account");
  if (!found) throw new Error("register the account commands before perm-group");
  return found;
}

export function register(program: Command, deps: Deps): void {
  const pg = program.command("perm-group").description("permission groups: scope operators and viewers to PC groups, with capabilities (admin)");

  withJson(pg.command("list"))
    .description("list permission groups")
    .action(async (_opts: unknown, cmd: Command) => {
      const { items } = await deps.client.call("listPermGroups");
      if (wantsJson(cmd)) return printJson(deps.io, items);
      deps.io.out(
        renderTable(
          ["NAME", "PC GROUPS", "CAPABILITIES", "ACCOUNTS"],
          items.map((g) => [g.name, g.pc_groups.join(","), g.capabilities.join(",") || "-", g.members.join(",") || "-"]),
        ),
      );
    });

  withJson(pg.command("show"))
    .description("show one permission group")
    .argument("<name>")
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const g = await deps.client.call("getPermGroup", { params: { name } });
      if (wantsJson(cmd)) return printJson(deps.io, g);
      deps.io.out(detail(g));
    });

  withJson(pg.command("create"))
    .description("create a permission group, or replace it (its accounts keep it)")
    .argument("<name>")
    .requiredOption("--pc-groups <groups...>", "PC groups (static or dynamic) its accounts are scoped to; comma-separated or repeated")
    .option("--capabilities <caps...>", `what its accounts may do there: ${CAPABILITIES.join(", ")} (none: read only)`)
    .option("--description <text>", "what it is for")
    .action(async (name: string, opts: { pcGroups: string[]; capabilities?: string[]; description?: string }, cmd: Command) => {
      const capabilities = splitList(opts.capabilities);
      const unknown = capabilities.filter((c) => !(CAPABILITIES as readonly string[]).includes(c));
      if (unknown.length) {
        throw badInput(`unknown capability ${unknown.map((c) => `"${c}"`).join(", ")}`, [{ path: "capabilities", message: `expected any of ${CAPABILITIES.join(", ")}` }]);
      }
      const body = { pc_groups: splitList(opts.pcGroups), capabilities: capabilities as PermGroup["capabilities"], ...(opts.description !== undefined ? { description: opts.description } : {}) };
      const g = await deps.client.call("putPermGroup", { params: { name }, body });
      if (wantsJson(cmd)) return printJson(deps.io, g);
      deps.io.out(detail(g));
    });

  withJson(pg.command("delete"))
    .description("delete a permission group no account is in")
    .argument("<name>")
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      const r = await deps.client.call("deletePermGroup", { params: { name } });
      if (wantsJson(cmd)) return printJson(deps.io, r);
      deps.io.out(`deleted ${name}\n`);
    });

  withJson(accountCommand(program).command("set-perm-groups"))
    .description("put an account in permission groups (replaces its set); --none: whole-fleet rights of its role again")
    .argument("<username>")
    .argument("[groups...]", "permission groups, comma-separated or as separate words")
    .option("--none", "take the account out of every permission group")
    .action(async (username: string, groups: string[], opts: { none?: boolean }, cmd: Command) => {
      const names = splitList(groups);
      if ((names.length === 0) === !opts.none) {
        throw badInput("give permission groups, or --none", [{ path: "perm_groups", message: "expected one or more names, or --none" }]);
      }
      const r = await deps.client.call("setAccountPermGroups", { params: { username }, body: { perm_groups: names } });
      if (wantsJson(cmd)) return printJson(deps.io, r);
      deps.io.out(`${r.username}  ${r.perm_groups.length ? r.perm_groups.join(", ") : "(no permission groups: whole fleet)"}\n`);
    });

  withJson(accountCommand(program).command("perm-groups"))
    .description("show an account's permission groups")
    .argument("<username>")
    .action(async (username: string, _opts: unknown, cmd: Command) => {
      const r = await deps.client.call("getAccountPermGroups", { params: { username } });
      if (wantsJson(cmd)) return printJson(deps.io, r);
      deps.io.out(`${r.username}  ${r.perm_groups.length ? r.perm_groups.join(", ") : "(no permission groups: whole fleet)"}\n`);
    });
}
