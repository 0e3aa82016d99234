import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "@kanade/testkit";
import { parseLastOutput, readLinuxSessions } from "./linux-sessions.js";

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

/** One glibc x86_64 `struct utmp` record (384 bytes), as login and init write them to wtmp. */
function utmpRecord(type: number, line: string, user: string, at: Date): Buffer {
  const b = Buffer.alloc(384);
  b.writeInt16LE(type, 0);
  b.writeInt32LE(4242, 4);
  b.write(line, 8, 32, "utf8");
  b.write(line.slice(-4), 40, 4, "utf8");
  b.write(user, 44, 32, "utf8");
  b.write(type === 7 ? "10.0.0.5" : "6.1.0", 76, 256, "utf8");
  b.writeInt32LE(Math.floor(at.getTime() / 1000), 340);
  return b;
}
const USER_PROCESS = 7;
const DEAD_PROCESS = 8;
const BOOT_TIME = 2;
const RUN_LVL = 1;

describe("readLinuxSessions (util-linux last on a real wtmp file)", () => {
  it.skipIf(process.platform !== "linux")("reads logons, logoffs and shutdowns from what `last` prints", async () => {
    const dir = tempDir("kanade-wtmp-");
    try {
      const t = (m: number): Date => new Date(Date.UTC(2026, 2, 1, 10, m));
      const file = join(dir.path, "wtmp");
      writeFileSync(
        file,
        Buffer.concat([
          utmpRecord(BOOT_TIME, "~", "reboot", t(0)),
          utmpRecord(USER_PROCESS, "pts/0", "alice", t(5)),
          utmpRecord(DEAD_PROCESS, "pts/0", "", t(35)),
          utmpRecord(USER_PROCESS, "tty1", "bob", t(40)),
          utmpRecord(RUN_LVL, "~~", "shutdown", t(50)),
        ]),
      );
      const events = await readLinuxSessions(new Date(0), file);
      expect(events.map((e) => [e.kind, e.user ?? "", e.at])).toEqual([
        ["user_logon", "alice", t(5).toISOString()],
        ["user_logoff", "alice", t(35).toISOString()],
        ["user_logon", "bob", t(40).toISOString()],
        ["os_shutdown", "", t(50).toISOString()],
      ]);
    } finally {
      dir.remove();
    }
  });
});
