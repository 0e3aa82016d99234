/**
 * Windows KLP endpoints: the agent runs the relay (klp-relay-script.ts, Windows PowerShell) as its own
 * child; the relay owns `\\.\pipe\kanade-agent`, reads each client's SID from its token and multiplexes
 * the connections over its stdin/stdout (klp-mux.ts). Here each OPEN becomes a stream the usual KLP
 * session runs on, as user `sid:S-1-…`. The child's stdio is private to the agent: nobody else can speak
 * for the relay.
 *
 * The agent's real work does not depend on KLP: when the relay cannot start (no PowerShell, a pipe someone
 * else holds, Wine's stub powershell.exe) the agent logs `klp: relay unavailable` and tries again later,
 * with a growing pause.
 */
import { spawn, type ChildProcess, type ChildProcessWithoutNullStreams } from "node:child_process";
import { Duplex } from "node:stream";
import type { Logger } from "pino";
import { MUX, MuxDecoder, encodeMux, encodeMuxData, type MuxFrame } from "./klp-mux.js";
import { klpUserFromSid } from "./klp-pipe-identity.js";
import { RELAY_DEFAULTS, relayCommand, type RelayCommand } from "./klp-relay-script.js";
import { MAX_CONNECTIONS_PER_USER, type KlpEndpointOptions, type KlpEndpoints } from "./klp-sockets.js";

export const DEFAULT_KLP_PIPE = "\\\\.\\pipe\\kanade-agent";
const RETRY_FIRST_MS = 5_000;
const RETRY_MAX_MS = 5 * 60_000;
/** How long the agent's start waits for the relay's HELLO; a slower relay is served when it comes. */
const START_WAIT_MS = 20_000;
/** How long a relay that was asked to stop (stdin closed) gets before it is killed. */
const STOP_GRACE_MS = 3_000;

/** One client of the pipe, as the KLP session sees it. Writes become DATA frames; ending it sends CLOSE. */
class RelayConnection extends Duplex {
  private closeSent = false;
  /** The relay said the client is gone: nothing more to tell it. */
  closedByRelay = false;

  constructor(
    readonly id: number,
    readonly user: string,
    private readonly send: (frame: Buffer) => void,
    private readonly forget: (id: number) => void,
  ) {
    super();
  }

  override _read(): void {
    // Data is pushed as the relay sends it; the relay reads the pipe whether or not the session keeps up
    // (a session reads every chunk at once).
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    for (const frame of encodeMuxData(this.id, chunk)) this.send(frame);
    done();
  }

  override _final(done: (err?: Error | null) => void): void {
    this.tellClose();
    done();
    // The relay drops the client on CLOSE and says nothing more: this end is finished too.
    queueMicrotask(() => this.destroy());
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    this.tellClose();
    this.forget(this.id);
    done(err);
  }

  private tellClose(): void {
    if (this.closeSent || this.closedByRelay) return;
    this.closeSent = true;
    this.send(encodeMux(MUX.CLOSE, this.id));
  }
}

export interface RelayDemuxOptions {
  log: Logger;
  onConnection: KlpEndpointOptions["onConnection"];
  /** Writes a frame to the relay's stdin. */
  send(frame: Buffer): void;
  /** The relay said something it may not: stop it (its stream cannot be trusted any more). */
  onBroken(reason: string): void;
  onHello(hello: unknown): void;
  onFail(reason: string): void;
}

/** The agent's half of the mux: frames from the relay in, KLP connections out. Pure (no process), so fuzzable. */
export class RelayDemux {
  private readonly decoder = new MuxDecoder();
  private readonly conns = new Map<number, RelayConnection>();
  private broken = false;

  constructor(private readonly opts: RelayDemuxOptions) {}

  get size(): number {
    return this.conns.size;
  }

  push(chunk: Buffer): void {
    if (this.broken) return;
    for (const ev of this.decoder.push(chunk)) {
      if (ev.kind === "broken") return this.break(ev.reason);
      this.onFrame(ev.frame);
      if (this.broken) return;
    }
  }

  /** Ends every connection (the relay is gone). */
  closeAll(): void {
    for (const conn of [...this.conns.values()]) {
      conn.closedByRelay = true;
      conn.destroy();
    }
  }

  private break(reason: string): void {
    this.broken = true;
    this.closeAll();
    this.opts.onBroken(reason);
  }

  private onFrame({ type, conn: id, payload }: MuxFrame): void {
    const { log } = this.opts;
    switch (type) {
      case MUX.HELLO: {
        let hello: unknown;
        try {
          hello = JSON.parse(payload.toString("utf8"));
        } catch {
          return this.break("its HELLO is not JSON");
        }
        return this.opts.onHello(hello);
      }
      case MUX.FAIL:
        return this.opts.onFail(payload.toString("utf8"));
      case MUX.REFUSED:
        log.warn({ conn: id, reason: payload.toString("utf8") }, "klp: the relay refused a pipe client");
        return;
      case MUX.OPEN: {
        if (id === 0 || this.conns.has(id)) return this.break(`OPEN for connection ${id}, which is ${id === 0 ? "reserved" : "open already"}`);
        const sid = payload.toString("ascii");
        const user = klpUserFromSid(sid);
        if (user === undefined) {
          log.warn({ conn: id, sid: sid.slice(0, 80) }, "klp: pipe client refused: anonymous, a service account or no SID");
          return this.opts.send(encodeMux(MUX.CLOSE, id));
        }
        let count = 0;
        for (const c of this.conns.values()) if (c.user === user) count++;
        if (count >= MAX_CONNECTIONS_PER_USER) {
          log.warn({ user, connections: count }, "klp: too many connections from one user; refused");
          return this.opts.send(encodeMux(MUX.CLOSE, id));
        }
        const conn = new RelayConnection(id, user, (f) => this.opts.send(f), (gone) => this.conns.delete(gone));
        this.conns.set(id, conn);
        this.opts.onConnection(conn, user);
        return;
      }
      case MUX.DATA: {
        // Data for a connection the agent already closed can still be on its way: dropped.
        const conn = this.conns.get(id);
        if (conn && !conn.destroyed) conn.push(payload);
        return;
      }
      case MUX.CLOSE: {
        const conn = this.conns.get(id);
        if (!conn) return;
        conn.closedByRelay = true;
        conn.push(null);
        conn.destroy();
        return;
      }
    }
  }
}

export interface PipeRelayOptions extends KlpEndpointOptions {
  /** The relay to run; the PowerShell relay unless a test gives a stand-in. */
  command?: RelayCommand;
  /** First pause before starting a failed relay again (doubles up to 5 min). */
  retryMs?: number;
  /** How long start() waits for the relay's HELLO (20 s). */
  startWaitMs?: number;
}

export function pipeRelay(opts: PipeRelayOptions): KlpEndpoints {
  const { log } = opts;
  const pipe = opts.pipe ?? DEFAULT_KLP_PIPE;
  let command: RelayCommand | undefined;
  let child: ChildProcess | undefined;
  let demux: RelayDemux | undefined;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  let pause = opts.retryMs ?? RETRY_FIRST_MS;
  /** A relay has said HELLO and not exited since. */
  let up = false;

  const later = (): void => {
    if (stopped) return;
    retry = setTimeout(() => void launch(), pause);
    retry.unref();
    pause = Math.min(pause * 2, RETRY_MAX_MS);
  };

  /** Starts the relay; resolves once it has the pipe open or has failed (never rejects). */
  const launch = (): Promise<void> =>
    new Promise<void>((resolve) => {
      let ready = false;
      let failure: string | undefined;
      let stderr = "";
      const cmd = command!;
      let proc: ChildProcessWithoutNullStreams;
      try {
        proc = spawn(cmd.file, cmd.args, { stdio: ["pipe", "pipe", "pipe"], windowsHide: true });
      } catch (err) {
        log.warn({ pipe, err: (err as Error).message, retry_in_ms: pause }, "klp: relay unavailable; the local protocol is off on this PC until it starts");
        later();
        return resolve();
      }
      child = proc;
      const send = (frame: Buffer): void => {
        if (proc.stdin.writable) proc.stdin.write(frame);
      };
      const mux = new RelayDemux({
        log,
        onConnection: opts.onConnection,
        send,
        onBroken: (reason) => {
          log.error({ reason }, "klp: the relay broke the mux protocol; stopping it");
          proc.kill();
        },
        onHello: (hello) => {
          ready = true;
          up = true;
          pause = opts.retryMs ?? RETRY_FIRST_MS;
          log.info({ pipe, relay: hello, pid: proc.pid }, "klp: named pipe ready");
          resolve();
        },
        onFail: (reason) => (failure = reason),
      });
      demux = mux;
      proc.stdout.on("data", (chunk: Buffer) => mux.push(chunk));
      proc.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString("utf8")).slice(-2000)));
      // A relay that dies while the agent writes: the exit handler below reports it.
      proc.stdin.on("error", () => undefined);
      let ended = false;
      const end = (why: Record<string, unknown>): void => {
        if (ended) return;
        ended = true;
        up = false;
        mux.closeAll();
        if (child === proc) {
          child = undefined;
          demux = undefined;
        }
        if (stopped) return resolve();
        const detail = { pipe, ...why, ...(failure ? { reason: failure } : {}), ...(stderr.trim() ? { stderr: stderr.trim() } : {}), retry_in_ms: pause };
        if (ready) log.error(detail, "klp: the relay exited; the named pipe is closed until it is started again");
        else log.warn(detail, "klp: relay unavailable; the local protocol is off on this PC until it starts");
        later();
        resolve();
      };
      proc.on("error", (err) => end({ err: err.message }));
      // `close`, not `exit`: by then its stdout is read to the end, FAIL included.
      proc.on("close", (code, signal) => end({ exit_code: code, signal }));
    });

  return {
    async start() {
      // A pipe name the relay cannot take is a configuration error: KLP is off (server.ts logs it).
      command = opts.command ?? relayCommand({ pipe, ...RELAY_DEFAULTS });
      // The agent's own start must not hang on a relay that neither opens the pipe nor exits.
      let timer: NodeJS.Timeout | undefined;
      const slow = new Promise<"slow">((resolve) => (timer = setTimeout(() => resolve("slow"), opts.startWaitMs ?? START_WAIT_MS)));
      const first = await Promise.race([launch(), slow]);
      clearTimeout(timer);
      if (first === "slow") log.warn({ pipe, waited_ms: opts.startWaitMs ?? START_WAIT_MS }, "klp: the relay has not opened the pipe yet; the agent carries on and serves it when it does");
    },
    uids: () => [],
    ready: () => up,
    async stop() {
      stopped = true;
      clearTimeout(retry);
      demux?.closeAll();
      const proc = child;
      if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
      // End of stdin is the relay's signal to stop; a relay that does not, is killed. The agent's own stop
      // (an update, a restart) never waits on the relay for longer than that and a second grace.
      await new Promise<void>((resolve) => {
        const kill = setTimeout(() => proc.kill(), STOP_GRACE_MS);
        const giveUp = setTimeout(() => {
          log.warn({ pid: proc.pid }, "klp: the relay did not exit when killed; the agent stops without waiting for it");
          resolve();
        }, 2 * STOP_GRACE_MS);
        proc.once("exit", () => {
          clearTimeout(kill);
          clearTimeout(giveUp);
          resolve();
        });
        proc.stdin?.end();
      });
    },
  };
}
