/** `group define|undefine|show|members|preview`: dynamic groups, whose members are the PCs a query matches. */
import type { Command } from "commander";
import { GROUP_RE, type GroupDetail } from "@kanade/protocol";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { badInput } from "../../errors.js";
import { printJson, renderTable } from "../../output.js";

function checkGroup(g: string): void {
  if (!GROUP_RE.test(g)) throw badInput("invalid arguments", [{ path: "<g>", message: `expected a group name (got "${g}")` }]);
}

function showDetail(deps: Deps, d: GroupDetail): void {
  const lines = [
    `group:    ${d.name}`,
    `query:    ${d.definition ? d.definition.query : "(none: static group)"}`,
    ...(d.definition?.description ? [`about:    ${d.definition.description}`] : []),
    ...(d.definition ? [`defined:  ${d.definition.updated_at}${d.definition.updated_by ? ` by ${d.definition.updated_by}` : ""}`] : []),
    `members:  ${d.members.length} (${d.dynamic_members.length} by query, ${d.static_members.length} static)`,
  ];
  deps.io.out(`${lines.join("\n")}\n`);
}

export function register(group: Command, deps: Deps): void {
  withJson(group.command("define"))
    .description("make a group dynamic: its members are the PCs the query matches, kept up to date (static members stay)")
    .argument("<g>", "group")
    .requiredOption("--query <query>", 'filter, e.g. \'os.build < 19045 and tag.site = "osaka"\' (see docs/reference/group-queries.md)')
    .option("--description <text>", "what the group is for")
    .action(async (g: string, opts: { query: string; description?: string }, cmd: Command) => {
      checkGroup(g);
      const d = await deps.client.call("defineGroup", { params: { g }, body: { query: opts.query, ...(opts.description ? { description: opts.description } : {}) } });
      if (wantsJson(cmd)) return printJson(deps.io, d);
      showDetail(deps, d);
    });
  withJson(group.command("undefine"))
    .description("drop a group's query: its dynamic members leave it, static members stay")
    .argument("<g>", "group")
    .action(async (g: string, _opts: unknown, cmd: Command) => {
      checkGroup(g);
      const r = await deps.client.call("undefineGroup", { params: { g } });
      if (wantsJson(cmd)) return printJson(deps.io, r);
      deps.io.out(`group ${g} is no longer dynamic\n`);
    });
  withJson(group.command("show"))
    .description("a group's query and member counts")
    .argument("<g>", "group")
    .action(async (g: string, _opts: unknown, cmd: Command) => {
      checkGroup(g);
      const d = await deps.client.call("getGroup", { params: { g } });
      if (wantsJson(cmd)) return printJson(deps.io, d);
      showDetail(deps, d);
    });
  withJson(group.command("members"))
    .description("a group's members and why each is in it (query, static or both)")
    .argument("<g>", "group")
    .action(async (g: string, _opts: unknown, cmd: Command) => {
      checkGroup(g);
      const d = await deps.client.call("getGroup", { params: { g } });
      if (wantsJson(cmd)) return printJson(deps.io, d.members.map((pc) => ({ pc_id: pc, dynamic: d.dynamic_members.includes(pc), static: d.static_members.includes(pc) })));
      const via = (pc: string): string => [d.dynamic_members.includes(pc) ? "query" : "", d.static_members.includes(pc) ? "static" : ""].filter(Boolean).join("+");
      deps.io.out(renderTable(["PC", "VIA"], d.members.map((pc) => [pc, via(pc)])));
    });
  withJson(group.command("preview"))
    .description("which PCs a query would match now, without saving anything")
    .requiredOption("--query <query>", "filter to try")
    .action(async (opts: { query: string }, cmd: Command) => {
      const r = await deps.client.call("previewGroupQuery", { body: { query: opts.query } });
      if (wantsJson(cmd)) return printJson(deps.io, r);
      deps.io.out(`${r.count} PC${r.count === 1 ? "" : "s"} match\n${r.pcs.map((pc) => `  ${pc}\n`).join("")}`);
    });
}
