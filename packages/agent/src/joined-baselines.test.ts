import { readFileSync, statSync, writeFileSync } from "node:fs";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempDir, type TempDir } from "@kanade/testkit";
import { baselineAt, issuedBeforeJoining, JoinedBaselines } from "./joined-baselines.js";

const at = (ms: number): Date => new Date(ms);
const lines: string[] = [];
const log = pino({ level: "info" }, { write: (s: string) => void lines.push(s) });
let t: TempDir;

beforeEach(() => {
  t = tempDir("kanade-joined-");
  lines.length = 0;
});
afterEach(() => t.remove());

describe("issuedBeforeJoining", () => {
  const joined = { seq: 40, at: 1_000 };

  it("is true for the command that was newest when the PC joined, and older ones", () => {
    expect(issuedBeforeJoining({ seq: 40, time: at(1_000) }, joined)).toBe(true);
    expect(issuedBeforeJoining({ seq: 12, time: at(500) }, joined)).toBe(true);
  });

  it("is false for anything stored after the join, even while the PC was offline", () => {
    expect(issuedBeforeJoining({ seq: 41, time: at(900_000) }, joined)).toBe(false);
  });

  it("is false for a newer command in a recreated EXEC stream, whose sequence restarted", () => {
    expect(issuedBeforeJoining({ seq: 3, time: at(2_000) }, joined)).toBe(false);
  });

  it("with nothing stored at the join, every command is newer", () => {
    expect(issuedBeforeJoining({ seq: 1, time: at(0) }, baselineAt(null))).toBe(false);
  });
});

describe("JoinedBaselines", () => {
  it("keeps the first join, persists it owner-only, and reads it back", () => {
    const path = t.join("state", "joined.json");
    const a = new JoinedBaselines(path, log);
    expect(a.setIfAbsent("commands.all", { seq: 7, at: 70 })).toBe(true);
    expect(a.setIfAbsent("commands.all", { seq: 9, at: 90 })).toBe(false);
    expect(new JoinedBaselines(path, log).get("commands.all")).toEqual({ seq: 7, at: 70 });
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it("forgets a group the PC left, so joining it again starts afresh", () => {
    const path = t.join("joined.json");
    const b = new JoinedBaselines(path, log);
    b.setIfAbsent("commands.all", { seq: 1 });
    b.setIfAbsent("commands.group.lab", { seq: 2 });
    b.setIfAbsent("commands.group.hr", { seq: 3 });
    b.prune(new Set(["commands.group.hr"]), (s) => s !== "commands.all");
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual({ subjects: { "commands.all": { seq: 1 }, "commands.group.hr": { seq: 3 } } });
  });

  it("starts empty, and says so, when the file is damaged", () => {
    const path = t.join("joined.json");
    writeFileSync(path, "{nope");
    expect(new JoinedBaselines(path, log).get("commands.all")).toBeUndefined();
    expect(lines.join("")).toContain("joined-subjects file unreadable");
  });
});
