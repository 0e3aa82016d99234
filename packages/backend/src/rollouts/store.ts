/** SQLite store of rollouts: owns `rollouts` and `rollout_waves`; reads `results` of the waves' executions. */
import type { AgentRolloutStart, RolloutStart } from "@kanade/protocol";
import type { SqlDatabase } from "../db/database.js";

export type RolloutState = "running" | "paused" | "aborted" | "completed";

interface RolloutCommon {
  rollout_id: string;
  /** Every PC of the target, resolved when the rollout started. */
  pcs: string[];
  state: RolloutState;
  reason: string | null;
  created_at: string;
  created_by: string;
}

/** A job sent wave by wave, or an agent version rolled out wave by wave. */
export type RolloutRecord =
  | (RolloutCommon & { kind: "job"; job_id: string; spec: RolloutStart })
  | (RolloutCommon & { kind: "agent_update"; job_id: null; spec: AgentRolloutStart });

export interface WaveRecord {
  idx: number;
  exec_id: string | null;
  sent_at: string | null;
  pcs: string[];
}

interface RolloutRow extends Omit<RolloutCommon, "pcs"> {
  kind: string;
  job_id: string;
  spec: string;
  pcs: string;
}

export interface RolloutsStore {
  create(r: RolloutRecord): void;
  get(id: string): RolloutRecord | undefined;
  list(limit: number): RolloutRecord[];
  running(): RolloutRecord[];
  waves(id: string): WaveRecord[];
  /** Claims wave `idx` for an exec; false when it was already sent (another tick took it). */
  claimWave(id: string, idx: number, execId: string | null, sentAt: string, pcs: readonly string[]): boolean;
  releaseWave(id: string, idx: number): void;
  /** Moves the state when it is one of `from`; false otherwise. */
  setState(id: string, from: readonly RolloutState[], to: RolloutState, reason: string | null): boolean;
  /** Answered and failed PCs over the given executions. */
  outcome(execIds: readonly string[]): { answered: number; failed: number };
}

const FAILED = "('failed', 'timed_out', 'error')";

export function openRolloutsStore(db: SqlDatabase): RolloutsStore {
  const st = {
    insert: db.prepare(
      `INSERT INTO rollouts (rollout_id, kind, job_id, spec, pcs, state, reason, created_at, created_by)
       VALUES (@rollout_id, @kind, @job_id, @spec, @pcs, @state, @reason, @created_at, @created_by)`,
    ),
    get: db.prepare(`SELECT * FROM rollouts WHERE rollout_id = ?`),
    list: db.prepare(`SELECT * FROM rollouts ORDER BY created_at DESC LIMIT ?`),
    running: db.prepare(`SELECT * FROM rollouts WHERE state = 'running'`),
    waves: db.prepare(`SELECT idx, exec_id, sent_at, pcs FROM rollout_waves WHERE rollout_id = ? ORDER BY idx`),
    claim: db.prepare(`INSERT INTO rollout_waves (rollout_id, idx, exec_id, sent_at, pcs) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`),
    release: db.prepare(`DELETE FROM rollout_waves WHERE rollout_id = ? AND idx = ?`),
    setState: db.prepare(`UPDATE rollouts SET state = ?, reason = ? WHERE rollout_id = ? AND state = ?`),
  };
  const decode = (r: RolloutRow | undefined): RolloutRecord | undefined => {
    if (!r) return undefined;
    const common: RolloutCommon = { rollout_id: r.rollout_id, pcs: JSON.parse(r.pcs) as string[], state: r.state, reason: r.reason, created_at: r.created_at, created_by: r.created_by };
    return r.kind === "agent_update"
      ? { ...common, kind: "agent_update", job_id: null, spec: JSON.parse(r.spec) as AgentRolloutStart }
      : { ...common, kind: "job", job_id: r.job_id, spec: JSON.parse(r.spec) as RolloutStart };
  };
  return {
    create: (r) => void st.insert.run({ ...r, job_id: r.job_id ?? "", spec: JSON.stringify(r.spec), pcs: JSON.stringify(r.pcs) }),
    get: (id) => decode(st.get.get(id) as RolloutRow | undefined),
    list: (limit) => (st.list.all(limit) as RolloutRow[]).map((r) => decode(r)!),
    running: () => (st.running.all() as RolloutRow[]).map((r) => decode(r)!),
    waves: (id) => (st.waves.all(id) as (Omit<WaveRecord, "pcs"> & { pcs: string })[]).map((w) => ({ ...w, pcs: JSON.parse(w.pcs) as string[] })),
    claimWave: (id, idx, execId, sentAt, pcs) => st.claim.run(id, idx, execId, sentAt, JSON.stringify(pcs)).changes === 1,
    releaseWave: (id, idx) => void st.release.run(id, idx),
    setState: (id, from, to, reason) => from.some((f) => st.setState.run(to, reason, id, f).changes === 1),
    outcome: (execIds) => {
      if (execIds.length === 0) return { answered: 0, failed: 0 };
      const marks = execIds.map(() => "?").join(",");
      const row = db
        .prepare(
          `SELECT COUNT(DISTINCT exec_id || '/' || pc_id) AS answered,
                  COUNT(DISTINCT CASE WHEN status IN ${FAILED} THEN exec_id || '/' || pc_id END) AS failed
           FROM results WHERE exec_id IN (${marks})`,
        )
        .get(...execIds) as { answered: number; failed: number };
      return row;
    },
  };
}
