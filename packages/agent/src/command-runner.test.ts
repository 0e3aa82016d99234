import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { JetStreamClient, PubAck } from "@nats-io/jetstream";
import { pino } from "pino";
import { execResultSchema, SKIP_EXIT, startedEventSchema, type Command, type ExecResult, type StartedEvent } from "@kanade/protocol/wire";
import { sampleCommand, sleep, tempDir, waitFor } from "@kanade/testkit";
import { CommandRunner } from "./command-runner.js";
import type { Executor } from "./exec/executor.js";
import { HandledStore } from "./handled-store.js";
import { Outbox } from "./outbox.js";
import { RunningMarkers } from "./running-markers.js";

const log = pino({ level: "silent" });

const cmd: Command = sampleCommand();

/** A runner whose version check (the cached pin differs from the command's) waits until `release` is called. */
function setup() {
  const dir = tempDir("kanade-runner-");
  const published: ExecResult[] = [];
  const js = {
    publish: (subject: string, data: string): Promise<PubAck> => {
      if (subject.startsWith("results.")) published.push(execResultSchema.parse(JSON.parse(data)));
      return Promise.resolve({ stream: "RESULTS", seq: published.length, duplicate: false, domain: "" });
    },
  } as unknown as JetStreamClient;
  let release: () => void = () => undefined;
  const refreshing = new Promise<void>((resolve) => (release = resolve));
  let refreshCalls = 0;
  const runs: string[] = [];
  const executor: Executor = {
    unsupportedReason: () => undefined,
    run: ({ cmd: c }) => {
      runs.push(c.exec_id);
      return Promise.resolve({ status: "succeeded", exitCode: 0, stdout: "", stderr: "", stdoutTruncated: false, stderrTruncated: false });
    },
  };
  const markersDir = join(dir.path, "running");
  const runner = new CommandRunner({
    pcId: "pc-1",
    publish: () => undefined,
    log,
    executor,
    handled: new HandledStore(undefined, log),
    outbox: new Outbox({ dir: undefined, js, log, isConnected: () => true }),
    markers: new RunningMarkers(markersDir, log),
    scriptState: {
      facts: () => ({ status: "ACTIVE", current: "2.0.0" }),
      cacheAgeMs: () => 0,
      refresh: () => {
        refreshCalls += 1;
        return refreshing;
      },
    },
    isConnected: () => true,
    now: Date.now,
    random: () => 0,
  });
  return {
    runner,
    published,
    runs,
    release,
    refreshCalls: () => refreshCalls,
    marker: () => existsSync(join(markersDir, `${cmd.exec_id}.json`)),
    remove: () => dir.remove(),
  };
}

describe("CommandRunner before the run starts", () => {
  it("writes the running marker and takes kills from the moment the command is accepted", async () => {
    const t = setup();
    try {
      t.runner.handle(cmd, "commands.pc.pc-1");
      // Still inside the version check: a crash now must leave a marker, and a kill must find the run.
      expect(t.refreshCalls()).toBe(1);
      expect(t.marker()).toBe(true);
      expect(t.runner.kill(cmd.exec_id)).toBe(true);
      t.release();
      const r = await waitFor(() => t.published[0], { what: "the killed result" });
      expect([r.status, r.exit_code, r.started_at]).toEqual(["killed", null, null]);
      expect(t.runs).toEqual([]);
      expect(t.marker()).toBe(false);
    } finally {
      t.remove();
    }
  });

  it("removes the marker and reports the skip when a gate refuses after the version check", async () => {
    const t = setup();
    try {
      t.runner.handle(cmd, "commands.pc.pc-1");
      expect(t.marker()).toBe(true);
      t.release();
      const r = await waitFor(() => t.published[0], { what: "the skipped result" });
      expect([r.status, r.exit_code]).toEqual(["skipped", SKIP_EXIT.VERSION_MISMATCH]);
      expect(t.runs).toEqual([]);
      expect(t.marker()).toBe(false);
    } finally {
      t.remove();
    }
  });
});

/** A runner whose gates pass and whose script ends when `finish` is called; started events are collected. */
function runningSetup(startedEventDelayMs: number) {
  const published: ExecResult[] = [];
  const started: StartedEvent[] = [];
  const js = {
    publish: (subject: string, data: string): Promise<PubAck> => {
      published.push(execResultSchema.parse(JSON.parse(data)));
      return Promise.resolve({ stream: "RESULTS", seq: published.length, duplicate: false, domain: "" });
    },
  } as unknown as JetStreamClient;
  let finish: () => void = () => undefined;
  const ends = new Promise<void>((resolve) => (finish = resolve));
  let blocking = false;
  const runner = new CommandRunner({
    pcId: "pc-1",
    publish: (subject, body) => {
      expect(subject).toBe(`events.started.${cmd.exec_id}.pc-1`);
      started.push(startedEventSchema.parse(JSON.parse(body)));
    },
    startedEventDelayMs,
    log,
    executor: {
      unsupportedReason: () => undefined,
      run: async () => {
        if (blocking) await ends;
        return { status: "succeeded", exitCode: 0, stdout: "hi\n", stderr: "", stdoutTruncated: false, stderrTruncated: false };
      },
    },
    handled: new HandledStore(undefined, log),
    outbox: new Outbox({ dir: undefined, js, log, isConnected: () => true }),
    markers: new RunningMarkers(undefined, log),
    scriptState: { facts: () => ({ status: "ACTIVE", current: cmd.version }), cacheAgeMs: () => 0, refresh: () => Promise.resolve() },
    isConnected: () => true,
    now: Date.now,
    random: () => 0,
  });
  return { runner, published, started, finish, block: () => (blocking = true) };
}

describe("CommandRunner's started event", () => {
  it("is not sent for a run that ends before it is due: the result alone carries started_at", async () => {
    const t = runningSetup(30);
    t.runner.handle(cmd, "commands.pc.pc-1");
    const r = await waitFor(() => t.published[0], { what: "the result" });
    expect(r.status).toBe("succeeded");
    expect(r.started_at).not.toBeNull();
    // Well past the delay: a started event left scheduled would have gone out by now.
    await sleep(150);
    expect(t.started).toEqual([]);
  });

  it("is sent, with the run's real start, once a run has lasted the delay; the result follows", async () => {
    const t = runningSetup(30);
    t.block();
    t.runner.handle(cmd, "commands.pc.pc-1");
    const ev = await waitFor(() => t.started[0], { what: "the started event of the still-running script" });
    expect(t.published).toEqual([]);
    expect(ev).toMatchObject({ exec_id: cmd.exec_id, request_id: cmd.request_id, pc_id: "pc-1", job_id: cmd.job_id });
    t.finish();
    const r = await waitFor(() => t.published[0], { what: "the result" });
    expect(r.started_at).toBe(ev.started_at);
    expect(r.result_id).toBe(ev.result_id);
    expect(t.started).toHaveLength(1);
  });

  it("goes out as the script starts when the delay is 0, even for a run that ends at once", async () => {
    const t = runningSetup(0);
    t.runner.handle(cmd, "commands.pc.pc-1");
    const r = await waitFor(() => t.published[0], { what: "the result" });
    expect(t.started.map((e) => e.started_at)).toEqual([r.started_at]);
  });
});
