/**
 * `support.upload_diagnostics`: the bundle a person at the PC sends to IT — their note, the PC's state, the
 * agent's recent log and recent runs — handed to the backend, which stores it for operators and audits it.
 */
import { MAX_SUPPORT_BUNDLE_BYTES, type SupportBundleContent } from "@kanade/protocol/wire";
import { KLP_ERRORS, type StateSnapshot } from "@kanade/protocol/klp";
import type { BackendGateway } from "./backend-gateway.js";
import { KlpFault } from "./faults.js";
import type { RunRegistry } from "./runs.js";

/** One bundle per user per minute: each carries up to 512 KiB. */
const MIN_INTERVAL_MS = 60_000;
const LOG_LINES = 1_000;
const RECENT_RUNS = 50;

export interface SupportDeps {
  backend: Pick<BackendGateway, "uploadSupport">;
  runs: RunRegistry;
  agentVersion: string;
  /** The newest agent log lines (JSON text), oldest first. */
  logTail(lines: number): string[];
  now?: () => number;
}

export class SupportUploads {
  private readonly lastAt = new Map<string, number>();

  constructor(private readonly deps: SupportDeps) {}

  async upload(user: string, note: string | undefined, state: StateSnapshot): Promise<string> {
    const now = (this.deps.now ?? Date.now)();
    const last = this.lastAt.get(user);
    if (last !== undefined && now - last < MIN_INTERVAL_MS) {
      throw new KlpFault(KLP_ERRORS.RATE_LIMIT, "a support bundle was sent less than a minute ago; wait a moment");
    }
    this.lastAt.set(user, now);
    try {
      return await this.deps.backend.uploadSupport(this.bundle(user, note, state, new Date(now).toISOString()));
    } catch (err) {
      this.lastAt.delete(user); // a failed upload does not count
      throw err;
    }
  }

  /** The bundle, its log tail shortened (oldest lines first) until the whole fits the size limit. */
  bundle(user: string, note: string | undefined, state: StateSnapshot, createdAt: string): SupportBundleContent {
    let log = this.deps.logTail(LOG_LINES);
    const build = (): SupportBundleContent => ({
      user,
      ...(note ? { note } : {}),
      created_at: createdAt,
      agent_version: this.deps.agentVersion,
      state,
      log_tail: log,
      runs: this.deps.runs.recent(RECENT_RUNS),
    });
    // Room for the envelope the backend sees; the rest is the bundle.
    while (Buffer.byteLength(JSON.stringify(build())) > MAX_SUPPORT_BUNDLE_BYTES - 1024 && log.length > 0) log = log.slice(Math.ceil(log.length / 4));
    return build();
  }
}
