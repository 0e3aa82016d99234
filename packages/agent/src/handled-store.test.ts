import { readFileSync, writeFileSync } from "node:fs";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { tempDir, type TempDir } from "@kanade/testkit";
import { HANDLED_RETENTION_MS, HandledStore } from "./handled-store.js";

const log = pino({ level: "silent" });
let dir: TempDir | undefined;
afterEach(() => dir?.remove());

describe("HandledStore", () => {
  it("persists ids so a new instance (a restarted agent) still knows them", () => {
    dir = tempDir();
    const path = dir.join("state", "handled.json");
    new HandledStore(path, log).mark(["exec-1", "req-1"]);
    const again = new HandledStore(path, log);
    expect(again.has("exec-1")).toBe(true);
    expect(again.has("req-1")).toBe(true);
    expect(again.has("exec-2")).toBe(false);
  });

  it("forgets ids older than the retention when it next writes", () => {
    dir = tempDir();
    const path = dir.join("handled.json");
    let now = 1_000_000;
    const store = new HandledStore(path, log, () => now);
    store.mark(["old"]);
    now += HANDLED_RETENTION_MS + 1;
    store.mark(["new"]);
    expect(store.has("old")).toBe(false);
    expect(Object.keys(JSON.parse(readFileSync(path, "utf8")).ids)).toEqual(["new"]);
  });

  it("starts empty instead of crashing on a corrupt file", () => {
    dir = tempDir();
    const path = dir.join("handled.json");
    writeFileSync(path, "{broken");
    expect(new HandledStore(path, log).has("x")).toBe(false);
  });
});
