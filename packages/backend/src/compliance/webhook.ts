/**
 * Notifies a check's webhook (POST JSON) when a PC fails it, retrying with exponential backoff; the outcome,
 * delivered or given up, is audited. Only results finished recently notify, so a rebuild that replays old
 * RESULTS does not page anyone about last month.
 */
import type { ComplianceWebhookBody } from "@kanade/protocol";
import type { Logger } from "pino";
import type { Audit } from "../audit/index.js";
import { SYSTEM_CALLER } from "../caller.js";

export interface WebhookDeps {
  audit: Pick<Audit, "record">;
  log: Logger;
  clock: () => Date;
  /** First retry delay; each next one doubles (default 1s: 1, 2, 4, 8 s). */
  baseDelayMs?: number;
  attempts?: number;
  fetch?: typeof fetch;
}

export interface WebhookNotifier {
  notify(url: string, body: ComplianceWebhookBody): void;
  /** Resolves when every delivery in flight ended (tests, shutdown). */
  idle(): Promise<void>;
  stop(): void;
}

const TIMEOUT_MS = 10_000;
/** Results older than this when projected do not notify (a replay, an agent back after a long absence). */
export const NOTIFY_MAX_AGE_MS = 3_600_000;

export function createWebhookNotifier(deps: WebhookDeps): WebhookNotifier {
  const base = deps.baseDelayMs ?? 1_000;
  const attempts = deps.attempts ?? 5;
  const post = deps.fetch ?? fetch;
  const inFlight = new Set<Promise<void>>();
  let stopped = false;
  const wait = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());

  const deliver = async (url: string, body: ComplianceWebhookBody): Promise<void> => {
    let last = "";
    let n = 0;
    for (; n < attempts && !stopped; n++) {
      if (n > 0) await wait(base * 2 ** (n - 1));
      try {
        const res = await post(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), signal: AbortSignal.timeout(TIMEOUT_MS) });
        if (res.ok) {
          await deps.audit.record(SYSTEM_CALLER, { action: "compliance.notify", target: body.check, payload: { pc_id: body.pc_id, result_id: body.result_id, url: new URL(url).origin, attempts: n + 1, delivered: true, status: res.status } });
          return;
        }
        last = `HTTP ${res.status}`;
      } catch (err) {
        last = (err as Error).message;
      }
      deps.log.warn({ job_id: body.check, pc_id: body.pc_id, attempt: n + 1, problem: last }, "compliance webhook failed; retrying");
    }
    await deps.audit.record(SYSTEM_CALLER, { action: "compliance.notify", target: body.check, payload: { pc_id: body.pc_id, result_id: body.result_id, url: new URL(url).origin, attempts: n, delivered: false, error: last } });
  };

  return {
    notify: (url, body) => {
      if (stopped) return;
      const p = deliver(url, body)
        .catch((err: unknown) => deps.log.error({ err, job_id: body.check }, "compliance webhook delivery crashed"))
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    },
    idle: async () => {
      await Promise.all([...inFlight]);
    },
    stop: () => {
      stopped = true;
    },
  };
}
