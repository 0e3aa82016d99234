import type { Command } from "commander";
import type { RolloutView } from "@kanade/protocol";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { printJson, renderTable } from "../../output.js";

const pct = (x: number | null): string => (x === null ? "-" : `${Math.round(x * 1000) / 10}%`);
/** What the rollout sends: `job <id>` or `agent <version>`. */
const what = (v: RolloutView): string => (v.kind === "agent_update" ? `agent ${v.agent_version ?? "?"}` : `job ${v.job_id ?? "?"}`);

export function describeRollout(v: RolloutView): string {
  const head =
    `rollout ${v.id} (${what(v)}): ${v.state}${v.reason ? ` — ${v.reason}` : ""}\n` +
    `sent ${v.sent} of ${v.target_count}; answered ${v.answered}, failed ${v.failed} (${pct(v.failure_rate)}; aborts at ${pct(v.abort_if_failure_rate)} once ${v.min_results} answered)\n`;
  const rows = v.waves.map((w) => [String(w.index + 1), w.spec.group ?? (w.spec.percent !== undefined ? `${w.spec.percent}%` : `${w.spec.pcs?.length ?? 0} PC(s)`), w.spec.after, w.due_at, w.state, String(w.pc_count), w.exec_id ?? "-"]);
  return head + renderTable(["WAVE", "WHO", "AFTER", "DUE AT", "STATE", "PCS", "EXEC"], rows);
}

export function register(program: Command, deps: Deps): void {
  const rollout = program.command("rollout").description("rollout waves of a job (kanade exec --waves) or of an agent version (kanade agent rollout --waves)");
  withJson(rollout.command("status"))
    .description("every rollout, or one rollout's waves, failure rate and why it stopped")
    .argument("[id]", "rollout id")
    .action(async (id: string | undefined, _opts: unknown, cmd: Command) => {
      if (id === undefined) {
        const { items } = await deps.client.call("listWaveRollouts", { query: { limit: 50 } });
        if (wantsJson(cmd)) return printJson(deps.io, items);
        return deps.io.out(renderTable(["ID", "SENDS", "STATE", "SENT", "FAILURE RATE", "CREATED"], items.map((v) => [v.id, what(v), v.state, `${v.sent}/${v.target_count}`, pct(v.failure_rate), v.created_at])));
      }
      const v = await deps.client.call("getWaveRollout", { params: { id } });
      if (wantsJson(cmd)) return printJson(deps.io, v);
      deps.io.out(describeRollout(v));
    });
  for (const [verb, route, help] of [
    ["pause", "pauseWaveRollout", "hold the next waves until resumed"],
    ["resume", "resumeWaveRollout", "let a paused rollout go on"],
    ["abort", "abortWaveRollout", "stop it: the remaining PCs are never sent the command"],
  ] as const) {
    withJson(rollout.command(verb))
      .description(help)
      .argument("<id>", "rollout id")
      .action(async (id: string, _opts: unknown, cmd: Command) => {
        const v = await deps.client.call(route, { params: { id } });
        if (wantsJson(cmd)) return printJson(deps.io, v);
        deps.io.out(describeRollout(v));
      });
  }
}
