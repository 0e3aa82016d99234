import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { agentEventSchema, SCRIPT_EVENT_LIMITS } from "@kanade/protocol/wire";
import { tempDir } from "@kanade/testkit";
import { parseScriptEvents, readScriptEvents, scriptTimelineEvents } from "./script-events.js";

const RUN = { pcId: "pc-1", execId: "0190f0e0-0000-7000-8000-000000000001", jobId: "backup", resultId: "0190f0e0-0000-7000-8000-0000000000aa", at: "2026-03-01T10:00:00.000Z" };

describe("script events", () => {
  it("keeps valid lines and names the line and field of each refused one", () => {
    const text = [
      JSON.stringify({ name: "backup.done", message: "3 GB", data: { gb: 3 } }),
      "",
      "not json",
      JSON.stringify({ name: "bad name!" }),
      JSON.stringify({ name: "x", extra: 1 }),
      JSON.stringify({ name: "y", message: "m".repeat(SCRIPT_EVENT_LIMITS.messageChars + 1) }),
    ].join("\n");
    const r = parseScriptEvents(text);
    expect(r.lines).toEqual([{ name: "backup.done", message: "3 GB", data: { gb: 3 } }]);
    expect(r.problems).toEqual([
      "line 3: not JSON",
      expect.stringMatching(/^line 4: name: expected a name/),
      expect.stringMatching(/^line 5: extra: /),
      expect.stringMatching(/^line 6: message: /),
    ]);
  });

  it("caps the count per run and says how many were dropped", () => {
    const text = Array.from({ length: SCRIPT_EVENT_LIMITS.perRun + 5 }, (_, i) => JSON.stringify({ name: `e${i}` })).join("\n");
    const r = parseScriptEvents(text);
    expect(r.lines).toHaveLength(SCRIPT_EVENT_LIMITS.perRun);
    expect(r.problems).toEqual([`5 event(s) past the cap of ${SCRIPT_EVENT_LIMITS.perRun} per run dropped`]);
  });

  it("reads at most the file cap and leaves out the cut line", async () => {
    const dir = tempDir("kanade-script-events-");
    try {
      const path = join(dir.path, "events.jsonl");
      const line = `${JSON.stringify({ name: "big", message: "x".repeat(1000) })}\n`;
      writeFileSync(path, line.repeat(Math.ceil(SCRIPT_EVENT_LIMITS.fileBytes / line.length) + 3));
      const r = await readScriptEvents(path);
      expect(r.lines).toHaveLength(SCRIPT_EVENT_LIMITS.perRun);
      expect(r.problems.at(-1)).toMatch(/file larger than/);
      expect(r.problems.some((p) => p.includes("not JSON"))).toBe(false);
      expect(await readScriptEvents(join(dir.path, "missing.jsonl"))).toEqual({ lines: [], problems: [] });
    } finally {
      dir.remove();
    }
  });

  it("becomes valid wire events with ids that are the same on every read, plus one rejection event", () => {
    const parsed = parseScriptEvents(`${JSON.stringify({ name: "a" })}\n${JSON.stringify({ name: "b" })}\nnope\n`);
    const first = scriptTimelineEvents(RUN, parsed);
    const again = scriptTimelineEvents(RUN, parsed);
    expect(first.map((e) => e.event_id)).toEqual(again.map((e) => e.event_id));
    expect(new Set(first.map((e) => e.event_id)).size).toBe(3);
    for (const e of first) expect(agentEventSchema.parse(e)).toEqual(e);
    expect(first.map((e) => e.name)).toEqual(["a", "b", "kanade.events_rejected"]);
    expect(first[2]!.message).toBe("line 3: not JSON");
    expect(first[0]).toMatchObject({ kind: "script", exec_id: RUN.execId, job_id: "backup", pc_id: "pc-1", source: "script" });
  });
});
