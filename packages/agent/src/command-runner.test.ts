import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { JetStreamClient, PubAck } from "@nats-io/jetstream";
import { pino } from "pino";
import { execResultSchema, SKIP_EXIT, type Command, type ExecResult } from "@kanade/protocol/wire";
import { sampleCommand, tempDir, waitFor } from "@kanade/testkit";
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
