/**
 * Live output of the scripts running now (issue 17 §2): one pair of bounded rings per run, dropped when the run
 * ends, and the `agents.<pc>.tail` responder that reads them. Request/reply only: nothing is sent unless asked.
 */
import type { NatsConnection, Subscription } from "@nats-io/nats-core";
import type { Logger } from "pino";
import { RUN_TAIL_RING_BYTES, runTailRequestSchema, subjects, type RunTailReply } from "@kanade/protocol/wire";
import { OutputRing } from "./exec/output-ring.js";

/** Each stream's share of a reply; two of them stay well under the default 1 MiB NATS payload. */
const REPLY_STREAM_MAX_BYTES = 256 * 1024;

export class LiveOutput {
  /** Rings are made on a run's first output: a run that writes nothing (or a quick one) costs one entry. */
  private readonly runs = new Map<string, { stdout: OutputRing; stderr: OutputRing } | null>();

  constructor(private readonly capBytes = RUN_TAIL_RING_BYTES) {}

  begin(execId: string): void {
    this.runs.set(execId, null);
  }

  push(execId: string, stream: "stdout" | "stderr", chunk: Buffer): void {
    let run = this.runs.get(execId);
    if (run === undefined) return;
    if (run === null) this.runs.set(execId, (run = { stdout: new OutputRing(this.capBytes), stderr: new OutputRing(this.capBytes) }));
    run[stream].push(chunk);
  }

  end(execId: string): void {
    this.runs.delete(execId);
  }

  /** What each stream wrote after the given offsets; `running: false` (and empty text) when no such run is in progress. */
  read(pcId: string, execId: string, stdoutFrom: number, stderrFrom: number): RunTailReply {
    const empty = (from: number) => ({ from, next: from, skipped: 0, text: "" });
    if (!this.runs.has(execId)) return { pc_id: pcId, exec_id: execId, running: false, stdout: empty(stdoutFrom), stderr: empty(stderrFrom) };
    const run = this.runs.get(execId) ?? { stdout: new OutputRing(this.capBytes), stderr: new OutputRing(this.capBytes) };
    return {
      pc_id: pcId,
      exec_id: execId,
      running: true,
      stdout: run.stdout.read(stdoutFrom, REPLY_STREAM_MAX_BYTES),
      stderr: run.stderr.read(stderrFrom, REPLY_STREAM_MAX_BYTES),
    };
  }
}

/** Answers `agents.<pc>.tail`; a request that does not parse is answered as a run not found. */
export function serveRunTail(deps: { nc: NatsConnection; pcId: string; live: LiveOutput; log: Logger }): Subscription {
  return deps.nc.subscribe(subjects.agentTail(deps.pcId), {
    callback: (err, msg) => {
      if (err) {
        deps.log.warn({ err }, "run tail subscription error");
        return;
      }
      let body: unknown = {};
      try {
        body = msg.json<unknown>();
      } catch (e) {
        deps.log.warn({ err: e }, "run tail request is not JSON");
      }
      const req = runTailRequestSchema.safeParse(body);
      if (!req.success) {
        msg.respond(JSON.stringify({ error: `invalid tail request: ${req.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}` }));
        return;
      }
      msg.respond(JSON.stringify(deps.live.read(deps.pcId, req.data.exec_id, req.data.stdout_from, req.data.stderr_from)));
    },
  });
}
