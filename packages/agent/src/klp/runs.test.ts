import { afterEach, describe, expect, it, vi } from "vitest";
import { RUN_OUTPUT_TAIL_CHARS, RunRegistry } from "./runs.js";

describe("RunRegistry", () => {
  it("ties runs to the user who started them, including steps seen before the claim", () => {
    const r = new RunRegistry();
    const told: [string, string, string][] = [];
    r.onProgress((owner, run) => told.push([owner, run.exec_id, run.state]));
    // The command can reach the agent before the backend's reply reaches the client's call.
    r.observe({ exec_id: "e1", job_id: "j", state: "queued" });
    r.observe({ exec_id: "e1", job_id: "j", state: "running", started_at: "t0" });
    expect(told).toEqual([]);
    expect(r.claim("e1", "j", "uid:1").state).toBe("running");
    r.claim("e2", "j", "uid:2");
    r.observe({ exec_id: "e1", job_id: "j", state: "finished", status: "succeeded", exit_code: 0, finished_at: "t1" });
    r.observe({ exec_id: "e1", job_id: "j", state: "queued" }); // a late duplicate must not move it back
    r.observe({ exec_id: "other", job_id: "j", state: "queued" }); // an operator's run: nobody's here
    expect(r.runsOf("uid:1")).toEqual([{ exec_id: "e1", job_id: "j", state: "finished", started_at: "t0", status: "succeeded", exit_code: 0, finished_at: "t1" }]);
    expect(r.runsOf("uid:2").map((x) => x.exec_id)).toEqual(["e2"]);
    expect(r.ownerOf("other")).toBeUndefined();
    expect(told).toEqual([
      ["uid:1", "e1", "running"],
      ["uid:2", "e2", "queued"],
      ["uid:1", "e1", "finished"],
    ]);
  });

  describe("output", () => {
    afterEach(() => vi.useRealTimers());

    it("goes to the run's owner only: what came before the claim at once, then in batches, the rest before 'finished'", () => {
      vi.useFakeTimers();
      const r = new RunRegistry(250);
      const told: string[] = [];
      r.onOutput((owner, c) => told.push(`${owner} ${c.exec_id} ${c.stream} ${JSON.stringify(c.text)}`));
      r.onProgress((owner, run) => told.push(`${owner} ${run.exec_id} ${run.state}`));
      r.observe({ exec_id: "e1", job_id: "j", state: "running" });
      r.output("e1", "stdout", Buffer.from("early\n"));
      r.output("other", "stdout", Buffer.from("an operator's run\n"));
      expect(told).toEqual([]);
      r.claim("e1", "j", "uid:1");
      expect(told).toEqual(['uid:1 e1 stdout "early\\n"', "uid:1 e1 running"]);
      told.length = 0;
      // A character split across chunks stays whole; chunks within one flush interval go out together.
      const yen = Buffer.from("¥1\n");
      r.output("e1", "stdout", yen.subarray(0, 1));
      r.output("e1", "stdout", yen.subarray(1));
      r.output("e1", "stderr", Buffer.from("warn\n"));
      expect(told).toEqual([]);
      vi.advanceTimersByTime(250);
      expect(told).toEqual(['uid:1 e1 stdout "¥1\\n"', 'uid:1 e1 stderr "warn\\n"']);
      told.length = 0;
      r.output("e1", "stdout", Buffer.from("last\n"));
      r.observe({ exec_id: "e1", job_id: "j", state: "finished", status: "succeeded", exit_code: 0 });
      expect(told).toEqual(['uid:1 e1 stdout "last\\n"', "uid:1 e1 finished"]);
      expect(r.outputOf("uid:1", "e1")).toEqual({ exec_id: "e1", stdout: "early\n¥1\nlast\n", stderr: "warn\n", truncated: false });
      expect(r.outputOf("uid:2", "e1")).toBeUndefined();
      expect(r.outputOf("uid:1", "other")).toBeUndefined();
    });

    it("keeps only the newest part of a long output", () => {
      const r = new RunRegistry(0);
      r.claim("e1", "j", "uid:1");
      r.output("e1", "stdout", Buffer.from("a".repeat(RUN_OUTPUT_TAIL_CHARS)));
      r.output("e1", "stdout", Buffer.from("tail"));
      const out = r.outputOf("uid:1", "e1");
      expect(out?.stdout.length).toBe(RUN_OUTPUT_TAIL_CHARS);
      expect(out?.stdout.endsWith("atail")).toBe(true);
      expect(out?.truncated).toBe(true);
    });
  });
});
