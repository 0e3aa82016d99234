/**
 * Compliance: per-PC verdicts of check jobs (manifest `check:`), read from their results, with history and
 * "since when"; and the webhook a failing result triggers (see webhook.ts).
 */
import {
  KanadeError,
  checkVerdict,
  type ComplianceCheck,
  type ComplianceDetail,
  type ComplianceHistoryEntry,
  type ComplianceRow,
  type ExecResult,
  type Manifest,
} from "@kanade/protocol";
import { versionManifests } from "../jobs/version-manifests.js";
import type { CheckRunRow, ComplianceStore } from "./store.js";
import { NOTIFY_MAX_AGE_MS, type WebhookNotifier } from "./webhook.js";

type CheckedManifest = Manifest & { check: NonNullable<Manifest["check"]> };
const isCheck = (m: Manifest | undefined): m is CheckedManifest => m?.check !== undefined;

export interface ComplianceDeps {
  store: ComplianceStore;
  jobs: { list(): Promise<{ id: string }[]>; get(id: string): Promise<Manifest | undefined> };
  notifier: WebhookNotifier;
  clock: () => Date;
}

export interface Compliance {
  list(): Promise<ComplianceCheck[]>;
  get(jobId: string): Promise<ComplianceDetail>;
  history(jobId: string, pcId: string, limit: number): Promise<ComplianceHistoryEntry[]>;
  /** Called with each batch of results before they are stored: a failing check result notifies its webhook. */
  observe(results: readonly ExecResult[]): Promise<void>;
}

/** How far back "since" looks for the start of the current verdict. */
const SINCE_LOOKBACK = 200;

export function createCompliance(deps: ComplianceDeps): Compliance {
  // Every batch of results asks which of their job versions is a check with a webhook: read once per version.
  // A result is judged by the check of the version it ran, also when it arrives after the job changed.
  const versions = versionManifests(deps.jobs);
  const mustCheck = async (jobId: string): Promise<CheckedManifest> => {
    const m = await deps.jobs.get(jobId);
    if (!m) throw new KanadeError("JOB_NOT_FOUND", `No job "${jobId}"`);
    if (!isCheck(m)) throw new KanadeError("JOB_NOT_FOUND", `Job "${jobId}" is not a compliance check (it has no check: block)`);
    return m;
  };
  const judge = (m: CheckedManifest, r: CheckRunRow) => checkVerdict(m.check.pass_if, r);

  const rows = (m: CheckedManifest): ComplianceRow[] =>
    deps.store.latest(m.id).map((r) => {
      const { verdict, detail } = judge(m, r);
      let since = r.finished_at;
      for (const h of deps.store.history(m.id, r.pc_id, SINCE_LOOKBACK)) {
        if (judge(m, h).verdict !== verdict) break;
        since = h.finished_at;
      }
      return { pc_id: r.pc_id, verdict, detail, since, checked_at: r.finished_at, result_id: r.result_id, version: r.version };
    });

  const summary = (m: CheckedManifest, items: readonly ComplianceRow[]): ComplianceCheck => {
    const count = (v: string) => items.filter((i) => i.verdict === v).length;
    return {
      job_id: m.id,
      version: m.version,
      description: m.description ?? null,
      pass_if: m.check.pass_if,
      webhook: m.check.webhook !== undefined,
      total: items.length,
      pass: count("pass"),
      fail: count("fail"),
      unknown: count("unknown"),
      pass_rate: items.length === 0 ? null : count("pass") / items.length,
    };
  };

  return {
    list: async () => {
      const out: ComplianceCheck[] = [];
      for (const { id } of await deps.jobs.list()) {
        const m = await deps.jobs.get(id);
        if (isCheck(m)) out.push(summary(m, rows(m)));
      }
      return out;
    },
    get: async (jobId) => {
      const m = await mustCheck(jobId);
      // Failing PCs first, longest failing first: what an operator acts on.
      const order = { fail: 0, unknown: 1, pass: 2 } as const;
      const items = rows(m).sort((a, b) => order[a.verdict] - order[b.verdict] || a.since.localeCompare(b.since) || a.pc_id.localeCompare(b.pc_id));
      return { ...summary(m, items), items };
    },
    history: async (jobId, pcId, limit) => {
      const m = await mustCheck(jobId);
      return deps.store.history(jobId, pcId, limit).map((r) => ({ result_id: r.result_id, ...judge(m, r), checked_at: r.finished_at, version: r.version }));
    },
    observe: async (results) => {
      const now = deps.clock().getTime();
      const manifests = new Map<string, Manifest | undefined>();
      for (const r of results) {
        const key = `${r.job_id}@${r.version}`;
        if (!manifests.has(key)) manifests.set(key, await versions.get(r.job_id, r.version));
        const m = manifests.get(key);
        if (!isCheck(m) || m.check.webhook === undefined) continue;
        if (now - Date.parse(r.finished_at) > NOTIFY_MAX_AGE_MS) continue;
        const { verdict, detail } = checkVerdict(m.check.pass_if, r);
        if (verdict !== "fail") continue;
        deps.notifier.notify(m.check.webhook, { check: r.job_id, version: r.version, pc_id: r.pc_id, verdict, detail, result_id: r.result_id, checked_at: r.finished_at });
      }
    },
  };
}
