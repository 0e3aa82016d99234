/** `group add|rm|set`: the three verbs that change one PC's groups. */
import type { Command } from "commander";
import { GROUP_RE, PC_ID_RE, type AgentGroupsView, type ErrorDetail } from "@kanade/protocol";
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

/** The PC's groups after the change, as the backend answered them. */
function report(deps: Deps, cmd: Command, res: AgentGroupsView): void {
  if (wantsJson(cmd)) return printJson(deps.io, { pc_id: res.pc_id, groups: res.groups });
  deps.io.out(`${res.pc_id} groups: ${res.groups.length > 0 ? res.groups.join(", ") : "(none)"}\n`);
}

/** `group add <g>… --pcs <pc>…`: every PC into each group, one request per group whatever the number of PCs. */
async function addMany(deps: Deps, cmd: Command, groups: readonly string[], pcs: readonly string[]): Promise<void> {
  const details: ErrorDetail[] = [
    ...pcs.filter((pc) => !PC_ID_RE.test(pc)).map((pc) => ({ path: "--pcs", message: `expected a pc_id (got "${pc}")` })),
    ...groups.filter((g) => !GROUP_RE.test(g)).map((g) => ({ path: "<g>", message: `expected a group name (got "${g}")` })),
  ];
  if (groups.length === 0) details.push({ path: "<g>", message: "name at least one group" });
  if (pcs.length === 0) details.push({ path: "--pcs", message: "name at least one pc_id" });
  if (details.length > 0) throw badInput("invalid arguments", details);
  const results = [];
  for (const g of groups) results.push(await deps.client.call("addGroupMembers", { params: { g }, body: { pcs: [...pcs] } }));
  if (wantsJson(cmd)) return printJson(deps.io, results);
  for (const r of results) {
    const already = pcs.length - r.added.length;
    deps.io.out(`${r.group}: added ${r.added.length} PC${r.added.length === 1 ? "" : "s"}${already > 0 ? ` (${already} already in it)` : ""}; ${r.members.length} members\n`);
  }
}

export function register(group: Command, deps: Deps): void {
  withJson(group.command("add"))
    .description("add a PC to groups, or with --pcs many PCs to groups in one request")
    .usage("<pc> <g...>  |  <g...> --pcs <pc...>")
    .argument("<pc-or-group>", "pc_id (or, with --pcs, the first group)")
    .argument("[g...]", "groups")
    .option("--pcs <pc...>", "the PCs to add (space- or comma-separated); then every argument is a group")
    .action(async (first: string, rest: string[], opts: { pcs?: string[] }, cmd: Command) => {
      if (opts.pcs !== undefined) return addMany(deps, cmd, splitList([first, ...rest]), splitList(opts.pcs));
      const groups = splitList(rest);
      if (groups.length === 0) throw badInput("name at least one group: kanade group add <pc> <g>… (or <g>… --pcs <pc>…)");
      checkNames(first, groups);
      report(deps, cmd, await deps.client.call("addAgentGroups", { params: { pc: first }, body: { groups } }));
    });
  withJson(group.command("rm"))
    .description("remove a PC from a group")
    .argument("<pc>", "pc_id")
    .argument("<g>", "group")
    .action(async (pc: string, name: string, _opts: unknown, cmd: Command) => {
      checkNames(pc, [name]);
      report(deps, cmd, await deps.client.call("removeAgentGroup", { params: { pc, g: name } }));
    });
  withJson(group.command("set"))
    .description("replace a PC's groups (no groups: remove it from all)")
    .argument("<pc>", "pc_id")
    .argument("[g...]", "groups")
    .action(async (pc: string, names: string[], _opts: unknown, cmd: Command) => {
      const groups = splitList(names);
      checkNames(pc, groups);
      report(deps, cmd, await deps.client.call("setAgentGroups", { params: { pc }, body: { groups } }));
    });
}
