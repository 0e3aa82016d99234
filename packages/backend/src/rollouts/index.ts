/**
 * Rollout waves with automatic abort: each wave is one execution (through the executions module, so approvals,
 * audit and signing apply) sent when its time has come, the fleet is not frozen, and the failure rate of the
 * waves so far — judged once `min_results` PCs (or every PC sent so far, if fewer) answered — is under the
 * threshold. Otherwise the rollout aborts with the reason, and the remaining PCs are never sent the command.
 * An agent-update rollout (kind `agent_update`) runs on the same waves: a wave sets target_version on its PCs,
 * and its PCs are judged from their heartbeats (agent-outcome.ts) instead of job results.
 */
import { KanadeError, parseDurationMs, type AgentRolloutStart, type RolloutStart, type RolloutView } from "@kanade/protocol";
import type { Logger } from "pino";
import { v7 as uuidv7 } from "uuid";
import type { AgentRecord } from "../agents/store.js";
import type { Audit } from "../audit/index.js";
import { SYSTEM_CALLER, type Caller } from "../caller.js";
import type { Executions } from "../executions/index.js";
import { agentWavesOutcome } from "./agent-outcome.js";
import type { RolloutRecord, RolloutsStore, RolloutState, WaveRecord } from "./store.js";

/** What agent-update rollouts need: the published versions, the agents' heartbeats, and the target writer. */
export interface AgentUpdateDeps {
  isPublished(version: string): Promise<boolean>;
  agents(): Promise<Pick<AgentRecord, "pc_id" | "agent_version" | "quarantined_versions" | "last_seen">[]>;
  setTargetVersion(pcs: readonly string[], version: string, jitter?: string): Promise<void>;
}

export interface RolloutsDeps {
  store: RolloutsStore;
  executions: Pick<Executions, "start">;
  /** Without it, agent-update rollouts are refused. */
  agentUpdates?: AgentUpdateDeps;
  jobExists(jobId: string): Promise<boolean>;
  resolveTargets(t: RolloutStart["target"]): Promise<string[]>;
  members(group: string): Iterable<string>;
  /** Why the fleet is frozen now, or undefined: no wave starts during a freeze. */
  frozen(): Promise<string | undefined>;
  audit: Pick<Audit, "around" | "record">;
  log: Logger;
  clock: () => Date;
}

export interface Rollouts {
  /** `id` names the rollout up front (a schedule records it before starting it). */
  start(caller: Caller, body: RolloutStart, id?: string): Promise<RolloutView>;
  /** An agent version rolled out wave by wave. */
  startAgentUpdate(caller: Caller, body: AgentRolloutStart): Promise<RolloutView>;
  /** The executions of a rollout's waves, or undefined when there is no such rollout. */
  execsOf(id: string): string[] | undefined;
  list(limit: number): Promise<RolloutView[]>;
  get(id: string): Promise<RolloutView>;
  change(caller: Caller, id: string, action: "pause" | "resume" | "abort"): Promise<RolloutView>;
  /** Sends every wave that is due; answers how many went out. */
  tick(): Promise<number>;
  startBackground(opts: { tickMs: number }): () => void;
}

const MOVES: Record<"pause" | "resume" | "abort", { from: RolloutState[]; to: RolloutState }> = {
  pause: { from: ["running"], to: "paused" },
  resume: { from: ["paused"], to: "running" },
  abort: { from: ["running", "paused"], to: "aborted" },
};

const pct = (x: number): string => `${Math.round(x * 1000) / 10}%`;
/** What a rollout sends, for audit payloads. */
const subject = (r: RolloutRecord): { job_id: string } | { agent_version: string } => (r.kind === "job" ? { job_id: r.job_id } : { agent_version: r.spec.version });

export function createRollouts(deps: RolloutsDeps): Rollouts {
  const { store } = deps;
  const mustGet = (id: string): RolloutRecord => {
    const r = store.get(id);
    if (!r) throw new KanadeError("NOT_FOUND", `No rollout "${id}"`);
    return r;
  };
  const dueAt = (r: RolloutRecord, idx: number): number => Date.parse(r.created_at) + parseDurationMs(r.spec.waves[idx]!.after)!;

  const agentUpdates = (): AgentUpdateDeps => {
    if (!deps.agentUpdates) throw new KanadeError("NATS_UNAVAILABLE", "Agent-update rollouts need the broker");
    return deps.agentUpdates;
  };
  /** Answered and failed PCs over the waves sent so far: job results, or agents' versions for an agent update. */
  const outcome = async (r: RolloutRecord, waves: readonly WaveRecord[]): Promise<{ answered: number; failed: number }> => {
    if (r.kind === "job") return store.outcome(waves.flatMap((w) => (w.exec_id ? [w.exec_id] : [])));
    if (waves.length === 0) return { answered: 0, failed: 0 };
    const agents = new Map((await agentUpdates().agents()).map((a) => [a.pc_id, a]));
    return agentWavesOutcome(waves, agents, r.spec.version, parseDurationMs(r.spec.deadline)!);
  };

  const view = async (r: RolloutRecord): Promise<RolloutView> => {
    const waves = store.waves(r.rollout_id);
    const { answered, failed } = await outcome(r, waves);
    return {
      id: r.rollout_id,
      kind: r.kind,
      job_id: r.job_id,
      agent_version: r.kind === "agent_update" ? r.spec.version : null,
      state: r.state,
      reason: r.reason,
      created_at: r.created_at,
      created_by: r.created_by,
      abort_if_failure_rate: r.spec.abort_if_failure_rate,
      min_results: r.spec.min_results,
      target_count: r.pcs.length,
      sent: waves.reduce((n, w) => n + w.pcs.length, 0),
      answered,
      failed,
      failure_rate: answered === 0 ? null : failed / answered,
      waves: r.spec.waves.map((spec, i) => {
        const w = waves.find((x) => x.idx === i);
        return { index: i, spec, state: w ? "sent" : "waiting", due_at: new Date(dueAt(r, i)).toISOString(), exec_id: w?.exec_id ?? null, sent_at: w?.sent_at ?? null, pc_count: w?.pcs.length ?? 0 };
      }),
    };
  };

  const abort = async (r: RolloutRecord, reason: string): Promise<void> => {
    if (!store.setState(r.rollout_id, ["running"], "aborted", reason)) return;
    await deps.audit.record(SYSTEM_CALLER, { action: "rollout.abort", target: r.rollout_id, payload: { ...subject(r), reason, automatic: true } });
    deps.log.warn({ rollout_id: r.rollout_id, job_id: r.job_id, reason }, "rollout aborted");
  };

  /** Sends one wave's PCs: the job as one execution, or the target version on each PC's scope. */
  const sendWave = async (r: RolloutRecord, idx: number, pcs: string[], execId: string | null): Promise<void> => {
    if (r.kind === "job") {
      if (execId === null) throw new Error("a job wave needs an exec id");
      const caller: Caller = { actor: `rollout:${r.rollout_id}`, role: "operator", sourceIp: null };
      await deps.executions.start(caller, r.job_id, { pcs, ...(r.spec.jitter ? { jitter: r.spec.jitter } : {}), ...(r.spec.during_freeze ? { during_freeze: true } : {}) }, { execId });
      return;
    }
    const { version, jitter } = r.spec;
    await deps.audit.around(
      { actor: `rollout:${r.rollout_id}`, role: "operator", sourceIp: null },
      { action: "agent.rollout", target: version, payload: { rollout_id: r.rollout_id, wave: idx + 1, pcs, jitter: jitter ?? null } },
      () => agentUpdates().setTargetVersion(pcs, version, jitter),
    );
  };

  /** Sends the next wave(s) of one rollout if due; answers how many went out. */
  const advance = async (r: RolloutRecord, nowMs: number): Promise<number> => {
    let sentNow = 0;
    for (;;) {
      const waves = store.waves(r.rollout_id);
      const idx = waves.length;
      if (idx >= r.spec.waves.length) {
        if (store.setState(r.rollout_id, ["running"], "completed", null)) deps.log.info({ rollout_id: r.rollout_id }, "rollout completed");
        return sentNow;
      }
      if (nowMs < dueAt(r, idx)) return sentNow;
      if ((await deps.frozen()) !== undefined) return sentNow;
      const sent = new Set(waves.flatMap((w) => w.pcs));
      if (idx > 0) {
        const { answered, failed } = await outcome(r, waves);
        if (answered < Math.min(r.spec.min_results, sent.size)) return sentNow;
        const rate = answered === 0 ? 0 : failed / answered;
        if (answered > 0 && rate >= r.spec.abort_if_failure_rate) {
          await abort(r, `failure rate ${pct(rate)} (${failed} of ${answered} answered) reached abort_if_failure_rate ${pct(r.spec.abort_if_failure_rate)} before wave ${idx + 1}; ${r.pcs.length - sent.size} PC(s) were never sent ${r.kind === "job" ? "the command" : "the update"}`);
          return sentNow;
        }
      }
      const spec = r.spec.waves[idx]!;
      const remaining = r.pcs.filter((pc) => !sent.has(pc));
      let pcs: string[];
      if (spec.group !== undefined) {
        const inGroup = new Set(deps.members(spec.group));
        pcs = remaining.filter((pc) => inGroup.has(pc));
      } else if (spec.pcs !== undefined) {
        const named = new Set(spec.pcs);
        pcs = remaining.filter((pc) => named.has(pc));
      } else {
        pcs = remaining.slice(0, Math.max(0, Math.ceil((spec.percent! / 100) * r.pcs.length) - sent.size));
      }
      const execId = pcs.length > 0 && r.kind === "job" ? uuidv7() : null;
      if (!store.claimWave(r.rollout_id, idx, execId, new Date(nowMs).toISOString(), pcs)) return sentNow;
      if (pcs.length === 0) continue; // an empty wave: nothing to send, on to the next
      try {
        await sendWave(r, idx, pcs, execId);
        deps.log.info({ rollout_id: r.rollout_id, wave: idx + 1, exec_id: execId, pcs: pcs.length }, "rollout wave sent");
        sentNow++;
      } catch (err) {
        store.releaseWave(r.rollout_id, idx);
        deps.log.warn({ rollout_id: r.rollout_id, wave: idx + 1, err }, "rollout wave could not be sent; retrying next tick");
        return sentNow;
      }
    }
  };

  const tick = async (): Promise<number> => {
    let n = 0;
    for (const r of store.running()) {
      try {
        n += await advance(r, deps.clock().getTime());
      } catch (err) {
        deps.log.error({ rollout_id: r.rollout_id, err }, "advancing a rollout failed");
      }
    }
    return n;
  };

  return {
    execsOf: (id) => (store.get(id) ? store.waves(id).flatMap((w) => (w.exec_id ? [w.exec_id] : [])) : undefined),
    start: async (caller, body, id) => {
      if (!(await deps.jobExists(body.job))) throw new KanadeError("JOB_NOT_FOUND", `No job "${body.job}"`);
      const pcs = await deps.resolveTargets(body.target);
      if (pcs.length === 0) throw new KanadeError("NO_TARGET", "The target resolves to no known PC", { details: [{ path: "target", message: "no PC" }] });
      const record: RolloutRecord = { rollout_id: id ?? uuidv7(), kind: "job", job_id: body.job, spec: body, pcs, state: "running", reason: null, created_at: deps.clock().toISOString(), created_by: caller.actor };
      await deps.audit.around(caller, { action: "rollout.start", target: record.rollout_id, payload: { job_id: body.job, target_count: pcs.length, waves: body.waves.length, abort_if_failure_rate: body.abort_if_failure_rate, min_results: body.min_results } }, async () => store.create(record));
      await advance(record, deps.clock().getTime());
      return view(mustGet(record.rollout_id));
    },
    startAgentUpdate: async (caller, body) => {
      if (!(await agentUpdates().isPublished(body.version))) {
        throw new KanadeError("RELEASE_NOT_PUBLISHED", `agent version "${body.version}" is not published; run "kanade agent publish <file>" first`);
      }
      const pcs = await deps.resolveTargets(body.target);
      if (pcs.length === 0) throw new KanadeError("NO_TARGET", "The target resolves to no known PC", { details: [{ path: "target", message: "no PC" }] });
      const record: RolloutRecord = { rollout_id: uuidv7(), kind: "agent_update", job_id: null, spec: body, pcs, state: "running", reason: null, created_at: deps.clock().toISOString(), created_by: caller.actor };
      const payload = { agent_version: body.version, target_count: pcs.length, waves: body.waves.length, abort_if_failure_rate: body.abort_if_failure_rate, min_results: body.min_results, deadline: body.deadline };
      await deps.audit.around(caller, { action: "rollout.start", target: record.rollout_id, payload }, async () => store.create(record));
      await advance(record, deps.clock().getTime());
      return view(mustGet(record.rollout_id));
    },
    list: (limit) => Promise.all(store.list(limit).map(view)),
    get: (id) => view(mustGet(id)),
    change: async (caller, id, action) => {
      const r = mustGet(id);
      const move = MOVES[action];
      await deps.audit.around(caller, { action: `rollout.${action}`, target: id, payload: subject(r) }, async () => {
        if (!store.setState(id, move.from, move.to, action === "abort" ? `aborted by ${caller.actor}` : r.reason)) {
          throw new KanadeError("CONFLICT", `Rollout ${id} is ${r.state}; cannot ${action} it`);
        }
      });
      return view(mustGet(id));
    },
    tick,
    startBackground: ({ tickMs }) => {
      let timer: NodeJS.Timeout | undefined;
      let stopped = false;
      const loop = async (): Promise<void> => {
        await tick().catch((err: unknown) => deps.log.error({ err }, "rollout tick failed"));
        if (!stopped) timer = setTimeout(() => void loop(), tickMs).unref();
      };
      void loop();
      return () => {
        stopped = true;
        if (timer) clearTimeout(timer);
      };
    },
  };
}
