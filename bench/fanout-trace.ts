/**
 * Where the time of one exec goes, from timestamps the parts already record: the bench's own clock around
 * `POST /api/exec`, the execution row's `created_at`, the broker's store time of the command (EXEC) and of
 * every started event (EVENTS) and result (RESULTS), and the `received_at` the results projector writes
 * once per batch. All on one machine, so one clock. Figures are ms since the POST was sent.
 */
import { jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { STREAMS, subjects } from "@kanade/protocol";
import { openDatabase, type SqlDatabase } from "@kanade/backend";

export interface Breakdown {
  /** The POST answered (HTTP, auth, the execution row, the outbox intent, the audit record). */
  post_answered: number;
  /** `executions.created_at`. */
  execution_row: number;
  /** The broker stored the signed command in EXEC. */
  command_stored: number;
  /**
   * Started events stored: first, median, last (receipt, signature, gates, publish); null when none was
   * sent (a run that ends within STARTED_EVENT_DELAY_MS sends none: its result carries started_at).
   */
  started_stored: [number, number, number] | null;
  /** This exec's started events in EVENTS (by subject). */
  started_events: number;
  /** Results stored in RESULTS: first, median, last. */
  results_stored: [number, number, number];
  /** Results committed by the projector (`received_at`): first and last batch. */
  results_projected: [number, number];
  /** Distinct `received_at` values: the projector's transactions for this exec (ms resolution). */
  projector_batches: number;
  /** The API first answered with every result counted. */
  visible: number;
  /** Requests of `GET /api/executions/{id}` until then: 1 with `?wait_ms=` (unless a wait ran out), else the polls. */
  polls: number;
  /** One more `GET /api/executions/{id}?rows=false` after the end: what a poll costs with N results in. */
  counts_read_ms: number;
}

export interface Mark {
  /** Wall clock (ms) when the POST was sent. */
  t0: number;
  postAnswered: number;
  visible: number;
  polls: number;
  /** RESULTS and EVENTS last sequence before the POST. */
  resultsSeq: number;
  eventsSeq: number;
}

export class Tracer {
  private constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly db: SqlDatabase,
  ) {}

  static async open(natsUrl: string, dbPath: string): Promise<Tracer> {
    const nc = await connect({ servers: natsUrl, name: "bench-trace" });
    return new Tracer(nc, await jetstreamManager(nc), openDatabase(dbPath));
  }

  /** Last sequence of RESULTS and EVENTS; taken before a POST. */
  async sequences(): Promise<{ resultsSeq: number; eventsSeq: number }> {
    const [r, e] = await Promise.all([this.jsm.streams.info(STREAMS.RESULTS), this.jsm.streams.info(STREAMS.EVENTS)]);
    return { resultsSeq: r.state.last_seq, eventsSeq: e.state.last_seq };
  }

  async breakdown(execId: string, n: number, mark: Mark, countsReadMs: number): Promise<Breakdown> {
    const at = (iso: string | Date): number => (typeof iso === "string" ? Date.parse(iso) : iso.getTime()) - mark.t0;
    const storedAt = async (stream: string, seq: number): Promise<number> => {
      const m = await this.jsm.streams.getMessage(stream, { seq });
      if (!m) throw new Error(`${stream} has no message ${seq}`);
      return at(m.time);
    };
    const spread = (stream: string, first: number, count: number): Promise<[number, number, number]> =>
      Promise.all([storedAt(stream, first + 1), storedAt(stream, first + Math.ceil(count / 2)), storedAt(stream, first + count)]);
    // EVENTS also holds timeline events (events.pc.>): count this exec's started events by subject.
    const eventsInfo = await this.jsm.streams.info(STREAMS.EVENTS, { subjects_filter: subjects.started(execId, "*") });
    const startedEvents = Object.keys(eventsInfo.state.subjects ?? {}).length;
    const onlyStarted = eventsInfo.state.last_seq - mark.eventsSeq === startedEvents;
    const row = this.db.prepare(`SELECT created_at FROM executions WHERE exec_id = ?`).get(execId) as { created_at: string };
    const projected = this.db
      .prepare(`SELECT MIN(received_at) AS first, MAX(received_at) AS last, COUNT(DISTINCT received_at) AS batches FROM results WHERE exec_id = ?`)
      .get(execId) as { first: string; last: string; batches: number };
    const command = await this.jsm.streams.getMessage(STREAMS.EXEC, { last_by_subj: subjects.commandsAll() });
    return {
      post_answered: mark.postAnswered - mark.t0,
      execution_row: at(row.created_at),
      command_stored: command ? at(command.time) : NaN,
      // Their store times by position, when nothing else reached EVENTS meanwhile.
      started_stored: startedEvents > 0 && onlyStarted ? await spread(STREAMS.EVENTS, mark.eventsSeq, startedEvents) : null,
      started_events: startedEvents,
      results_stored: await spread(STREAMS.RESULTS, mark.resultsSeq, n),
      results_projected: [at(projected.first), at(projected.last)],
      projector_batches: projected.batches,
      visible: mark.visible - mark.t0,
      polls: mark.polls,
      counts_read_ms: Math.round(countsReadMs * 10) / 10,
    };
  }

  async close(): Promise<void> {
    this.db.close();
    await this.nc.close();
  }
}
