/**
 * `kanade agent tag <pc> k=v…`, `untag <pc> k…`, `tags <pc>`: compare-and-set on the tags' revision. When
 * another operator changed the tags first, the change is re-read and retried only if none of the keys it
 * touches changed meanwhile; otherwise it is reported, not applied.
 */
import type { Command } from "commander";
import { PC_ID_RE, tagKeyProblem, tagValueProblem, type AgentTagsView, type ErrorDetail } from "@kanade/protocol";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { badInput, CliError } from "../../errors.js";
import { printJson } from "../../output.js";

const RETRIES = 3;

function checkPc(pc: string): void {
  if (!PC_ID_RE.test(pc)) throw badInput("invalid arguments", [{ path: "<pc>", message: `expected a pc_id (got "${pc}")` }]);
}

/** `k=v` arguments as a record; every bad one is named. */
export function parseTagArgs(args: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const details: ErrorDetail[] = [];
  for (const a of args) {
    const eq = a.indexOf("=");
    if (eq <= 0) {
      details.push({ path: a, message: `expected key=value (got "${a}")` });
      continue;
    }
    const k = a.slice(0, eq);
    const v = a.slice(eq + 1);
    const problem = tagKeyProblem(k) ?? tagValueProblem(k, v);
    if (problem) details.push({ path: k, message: problem });
    else out[k] = v;
  }
  if (args.length === 0) details.push({ path: "<k=v>", message: "name at least one tag" });
  if (details.length > 0) throw badInput("invalid tags", details);
  return out;
}

function show(deps: Deps, cmd: Command, v: AgentTagsView): void {
  if (wantsJson(cmd)) return printJson(deps.io, v);
  const entries = Object.entries(v.tags);
  deps.io.out(`${v.pc_id} tags: ${entries.length > 0 ? entries.map(([k, x]) => `${k}=${x}`).join(" ") : "(none)"}\n`);
}

async function change(deps: Deps, pc: string, set: Record<string, string>, remove: string[]): Promise<AgentTagsView> {
  let seen = await deps.client.call("getAgentTags", { params: { pc } });
  const keys = [...Object.keys(set), ...remove];
  for (let attempt = 0; ; attempt++) {
    try {
      return await deps.client.call("changeAgentTags", { params: { pc }, body: { set, remove, expected_revision: seen.revision } });
    } catch (err) {
      if (!(err instanceof CliError) || err.code !== "CONFLICT" || attempt >= RETRIES) throw err;
      const now = await deps.client.call("getAgentTags", { params: { pc } });
      const touched = keys.filter((k) => now.tags[k] !== seen.tags[k]);
      if (touched.length > 0) {
        const what = touched.map((k) => `${k}: you saw ${seen.tags[k] === undefined ? "(unset)" : `"${seen.tags[k]}"`}, now ${now.tags[k] === undefined ? "(unset)" : `"${now.tags[k]}"`}`);
        throw new CliError(`the tags of ${pc} were changed by someone else meanwhile (${what.join("; ")}); nothing applied — look and run again`, {
          code: "CONFLICT",
          status: 409,
          details: touched.map((k) => ({ path: k, message: `changed by someone else to ${now.tags[k] ?? "(unset)"}` })),
        });
      }
      // Someone changed other keys only: re-applying this add/remove on top of theirs loses nothing.
      seen = now;
    }
  }
}

export function register(agent: Command, deps: Deps): void {
  withJson(agent.command("tags"))
    .description("show a PC's tags")
    .argument("<pc>", "pc_id")
    .action(async (pc: string, _opts: unknown, cmd: Command) => {
      checkPc(pc);
      show(deps, cmd, await deps.client.call("getAgentTags", { params: { pc } }));
    });
  withJson(agent.command("tag"))
    .description("set tags on a PC (key=value …); refuses to overwrite a key someone else just changed")
    .argument("<pc>", "pc_id")
    .argument("<k=v...>", "tags")
    .action(async (pc: string, args: string[], _opts: unknown, cmd: Command) => {
      checkPc(pc);
      show(deps, cmd, await change(deps, pc, parseTagArgs(args), []));
    });
  withJson(agent.command("untag"))
    .description("remove tags from a PC (keys)")
    .argument("<pc>", "pc_id")
    .argument("<k...>", "tag keys")
    .action(async (pc: string, keys: string[], _opts: unknown, cmd: Command) => {
      checkPc(pc);
      const details = keys.flatMap((k) => {
        const p = tagKeyProblem(k);
        return p ? [{ path: k, message: p }] : [];
      });
      if (details.length > 0) throw badInput("invalid tag keys", details);
      show(deps, cmd, await change(deps, pc, {}, keys));
    });
}
