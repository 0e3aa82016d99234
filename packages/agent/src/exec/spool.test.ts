import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "@kanade/testkit";
import { SpoolingCapture, spoolCapMarker } from "./spool.js";

describe("SpoolingCapture", () => {
  it("writes no file while the stream fits the cap", () => {
    const dir = tempDir("kanade-spool-");
    try {
      const c = new SpoolingCapture(join(dir.path, "out", "stdout"), 8);
      c.push(Buffer.from("abcd"));
      c.push(Buffer.from("efgh"));
      c.close();
      const r = c.result();
      expect([r.text, r.truncated, r.fullPath]).toEqual(["abcdefgh", false, undefined]);
      expect(existsSync(join(dir.path, "out"))).toBe(false);
    } finally {
      dir.remove();
    }
  });

  it("keeps the head inline and the whole stream in the file once it outgrows the cap", () => {
    const dir = tempDir("kanade-spool-");
    try {
      const path = join(dir.path, "out", "stdout");
      const c = new SpoolingCapture(path, 8);
      for (const part of ["abcd", "efgh", "ijkl", "mn"]) c.push(Buffer.from(part));
      c.close();
      const r = c.result();
      expect([r.text, r.truncated, r.totalBytes, r.fullPath]).toEqual(["abcdefgh", true, 14, path]);
      expect(readFileSync(path, "utf8")).toBe("abcdefghijklmn");
      expect([statSync(join(dir.path, "out")).mode & 0o777, statSync(path).mode & 0o777]).toEqual([0o700, 0o600]);
    } finally {
      dir.remove();
    }
  });

  it("stops the file at the spool cap and ends it with a marker line", () => {
    const dir = tempDir("kanade-spool-");
    try {
      const path = join(dir.path, "out", "stdout");
      const c = new SpoolingCapture(path, 4, 10);
      for (const part of ["abcd", "efgh", "ijkl", "mnop"]) c.push(Buffer.from(part));
      c.close();
      const r = c.result();
      expect([r.text, r.truncated, r.totalBytes, r.fullPath, r.fullCapped]).toEqual(["abcd", true, 16, path, true]);
      expect(readFileSync(path, "utf8")).toBe(`abcdefghij${spoolCapMarker(10)}`);
    } finally {
      dir.remove();
    }
  });
});
