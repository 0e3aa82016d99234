/** `config get|set|unset|clear [--group g | --pc pc]`: read and edit one scope of the layered config. */
import type { Command } from "commander";
import { CONFIG_FIELDS, GROUP_RE, PC_ID_RE, configValueFromText, type ConfigPatch, type ConfigScopeAnswer } from "@kanade/protocol";
import type { CliApi } from "../../api.js";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { badInput } from "../../errors.js";
import { printJson, renderTable } from "../../output.js";

type ScopeTarget = { kind: "global" } | { kind: "group"; name: string } | { kind: "pc"; name: string };

/** One scope's routes: the global one, a group's or a PC's. */
function getScope(api: CliApi, t: ScopeTarget): Promise<ConfigScopeAnswer> {
  if (t.kind === "group") return api.call("getGroupConfig", { params: { g: t.name } });
  if (t.kind === "pc") return api.call("getAgentConfig", { params: { pc: t.name } });
  return api.call("getGlobalConfig");
}

/** JSON merge patch: a field set to null is removed from the scope. */
function patchScope(api: CliApi, t: ScopeTarget, patch: ConfigPatch): Promise<ConfigScopeAnswer> {
  if (t.kind === "group") return api.call("patchGroupConfig", { params: { g: t.name }, body: patch });
  if (t.kind === "pc") return api.call("patchAgentConfig", { params: { pc: t.name }, body: patch });
  return api.call("patchGlobalConfig", { body: patch });
}

function clearScope(api: CliApi, t: ScopeTarget): Promise<ConfigScopeAnswer> {
  if (t.kind === "group") return api.call("deleteGroupConfig", { params: { g: t.name } });
  if (t.kind === "pc") return api.call("deleteAgentConfig", { params: { pc: t.name } });
  return api.call("deleteGlobalConfig");
}

interface ScopeOpts {
  group?: string;
  pc?: string;
}

function target(opts: ScopeOpts): ScopeTarget {
  if (opts.group !== undefined && opts.pc !== undefined) throw badInput("give --group or --pc, not both");
  if (opts.group !== undefined) {
    if (!GROUP_RE.test(opts.group)) throw badInput(`--group: expected a group name (got "${opts.group}")`);
    return { kind: "group", name: opts.group };
  }
  if (opts.pc !== undefined) {
    if (!PC_ID_RE.test(opts.pc)) throw badInput(`--pc: expected a pc_id (got "${opts.pc}")`);
    return { kind: "pc", name: opts.pc };
  }
  return { kind: "global" };
}

function scoped(cmd: Command): Command {
  return withJson(cmd).option("--group <g>", "the scope of group <g>").option("--pc <pc>", "the scope of one PC");
}

function show(deps: Deps, cmd: Command, body: ConfigScopeAnswer): void {
  if (wantsJson(cmd)) return printJson(deps.io, body);
  const rows = Object.entries(body.config).map(([k, v]) => [k, String(v)]);
  if (rows.length === 0) return deps.io.out(`${body.scope}: (nothing set)\n`);
  deps.io.out(`${body.scope}:\n` + renderTable(["FIELD", "VALUE"], rows));
}

/** `k=v` pairs → a patch; every malformed pair is reported at once (exit 2). */
export function parseAssignments(pairs: readonly string[]): ConfigPatch {
  const patch: ConfigPatch = {};
  const problems: { path: string; message: string }[] = [];
  for (const p of pairs) {
    const eq = p.indexOf("=");
    if (eq <= 0) {
      problems.push({ path: p, message: "expected field=value, e.g. heartbeat_interval=30s" });
      continue;
    }
    const field = p.slice(0, eq);
    patch[field] = configValueFromText(field, p.slice(eq + 1));
  }
  if (problems.length > 0) throw badInput("invalid assignment", problems);
  return patch;
}

export function register(config: Command, deps: Deps): void {
  scoped(config.command("get"))
    .description("show what one scope sets (default: global)")
    .action(async (opts: ScopeOpts, cmd: Command) => show(deps, cmd, await getScope(deps.client, target(opts))));

  scoped(config.command("set"))
    .description(`set fields in one scope: field=value… (fields: ${CONFIG_FIELDS.join(", ")})`)
    .argument("<field=value...>")
    .action(async (pairs: string[], opts: ScopeOpts, cmd: Command) => {
      const t = target(opts);
      show(deps, cmd, await patchScope(deps.client, t, parseAssignments(pairs)));
    });

  scoped(config.command("unset"))
    .description("remove fields from one scope, so a lower layer applies again")
    .argument("<field...>")
    .action(async (fields: string[], opts: ScopeOpts, cmd: Command) => {
      const t = target(opts);
      show(deps, cmd, await patchScope(deps.client, t, Object.fromEntries(fields.map((f) => [f, null]))));
    });

  scoped(config.command("clear"))
    .description("remove every field of one scope")
    .action(async (opts: ScopeOpts, cmd: Command) => show(deps, cmd, await clearScope(deps.client, target(opts))));
}
