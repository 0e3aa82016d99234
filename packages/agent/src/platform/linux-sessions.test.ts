import { describe, expect, it } from "vitest";
import { parseLastOutput } from "./linux-sessions.js";

// util-linux `last --time-format iso -w -x`, newest first, as it prints them.
const LAST = `alice    pts/1        10.0.0.5         2026-03-02T09:30:00+09:00   still logged in
shutdown system down  6.1.0-18-amd64   2026-03-02T08:00:00+09:00 - 2026-03-02T08:59:00+09:00  (00:59)
bob      tty1                          2026-03-01T20:00:00+09:00 - 2026-03-01T21:15:00+09:00  (01:15)
carol    pts/0        host.lan         2026-03-01T19:00:00+09:00 - crash                      (02:00)
reboot   system boot  6.1.0-18-amd64   2026-03-01T18:59:00+09:00 - 2026-03-02T08:00:00+09:00  (13:01)
runlevel (to lvl 5)   6.1.0-18-amd64   2026-03-01T18:59:10+09:00 - 2026-03-02T08:00:00+09:00  (13:00)
dave     pts/2        10.0.0.9         2026-02-01T10:00:00+09:00 - 2026-02-01T11:00:00+09:00  (01:00)

wtmp begins Sat Feb  1 00:00:00 2026
`;

describe("parseLastOutput", () => {
  it("turns sessions into logons and logoffs and shutdown records into shutdowns, oldest first, since a time", () => {
    const events = parseLastOutput(LAST, new Date("2026-03-01T00:00:00Z"));
    expect(events.map((e) => [e.kind, e.user ?? "", e.at])).toEqual([
      ["user_logon", "carol", "2026-03-01T10:00:00.000Z"],
      ["user_logon", "bob", "2026-03-01T11:00:00.000Z"],
      ["user_logoff", "bob", "2026-03-01T12:15:00.000Z"],
      ["os_shutdown", "", "2026-03-01T23:00:00.000Z"],
      ["user_logon", "alice", "2026-03-02T00:30:00.000Z"],
    ]);
    expect(events.every((e) => e.source === "wtmp")).toBe(true);
  });

  it("gives the same key to the same record on every read, and different keys to logon and logoff", () => {
    const a = parseLastOutput(LAST, new Date(0));
    const b = parseLastOutput(LAST, new Date(0));
    expect(a.map((e) => e.key)).toEqual(b.map((e) => e.key));
    expect(new Set(a.map((e) => e.key)).size).toBe(a.length);
  });

  it("skips what it cannot read", () => {
    expect(parseLastOutput("garbage line\n\nwtmp begins Sat Feb  1 00:00:00 2026\n", new Date(0))).toEqual([]);
  });
});
