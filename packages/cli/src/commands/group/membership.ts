/** `group add|rm|set`: the three verbs that change one PC's groups. */
import type { Command } from "commander";
import { GROUP_RE, PC_ID_RE, type ErrorDetail } from "@kanade/protocol";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { badInput } from "../../errors.js";
import { printJson } from "../../output.js";
import { splitList } from "../../targets.js";

function checkNames(pc: string, groups: readonly string[]): void {
  const details: ErrorDetail[] = [];
  if (!PC_ID_RE.test(pc)) details.push({ path: "<pc>", message: `expected a pc_id (got "${pc}")` });
  for (const g of groups) if (!GROUP_RE.test(g)) details.push({ path: "<g>", message: `expected a group name (got "${g}")` });
  if (details.length > 0) throw badInput("invalid arguments", details);
}

function report(deps: Deps, cmd: Command, pc: string, res: { groups?: string[] } | undefined, fallback: string): void {
  const groups = Array.isArray(res?.groups) ? res.groups : undefined;
  if (wantsJson(cmd)) return printJson(deps.io, { pc_id: pc, ...(groups ? { groups } : {}) });
  deps.io.out(groups ? `${pc} groups: ${groups.length > 0 ? groups.join(", ") : "(none)"}\n` : `${fallback}\n`);
}

export function register(group: Command, deps: Deps): void {
  withJson(group.command("add"))
    .description("add a PC to groups")
    .argument("<pc>", "pc_id")
    .argument("<g...>", "groups")
    .action(async (pc: string, names: string[], _opts: unknown, cmd: Command) => {
      const groups = splitList(names);
      checkNames(pc, groups);
      report(deps, cmd, pc, await deps.client.addGroups(pc, groups), `added ${pc} to ${groups.join(", ")}`);
    });
  withJson(group.command("rm"))
    .description("remove a PC from a group")
    .argument("<pc>", "pc_id")
    .argument("<g>", "group")
    .action(async (pc: string, name: string, _opts: unknown, cmd: Command) => {
      checkNames(pc, [name]);
      report(deps, cmd, pc, await deps.client.removeGroup(pc, name), `removed ${pc} from ${name}`);
    });
  withJson(group.command("set"))
    .description("replace a PC's groups (no groups: remove it from all)")
    .argument("<pc>", "pc_id")
    .argument("[g...]", "groups")
    .action(async (pc: string, names: string[], _opts: unknown, cmd: Command) => {
      const groups = splitList(names);
      checkNames(pc, groups);
      report(deps, cmd, pc, await deps.client.setGroups(pc, groups), `${pc} groups: ${groups.join(", ") || "(none)"}`);
    });
}
