import { describe, expect, it } from "vitest";
import { RunRegistry } from "./runs.js";

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
});
