import { describe, expect, it } from "vitest";
import { parseWindowsEvents, windowsEventsQuery } from "./windows-events.js";

const rec = (over: Record<string, unknown>) => ({ RecordId: 1, Id: 4624, Log: "Security", Time: "2026-03-01T10:00:00.0000000Z", User: "alice", Domain: "CORP", LogonType: "2", ...over });

describe("windowsEventsQuery", () => {
  it("asks Security and System for the kinds the timeline shows, since a UTC time, as one JSON array", () => {
    const q = windowsEventsQuery(new Date("2026-03-01T00:00:00Z"));
    expect(q).toContain("[DateTime]::Parse('2026-03-01T00:00:00.000Z')");
    expect(q).toContain("Id = 4624, 4634, 4647, 4800, 4801");
    expect(q).toContain("Id = 6006, 6008");
    expect(q).toContain("ConvertTo-Json -InputObject @($rows) -Compress");
  });
});

describe("parseWindowsEvents", () => {
  it("maps logon, logoff, lock, unlock and shutdown records; keys are log + record id", () => {
    const json = JSON.stringify([
      rec({ RecordId: 10, Id: 4624, Time: "2026-03-01T10:00:00Z" }),
      rec({ RecordId: 11, Id: 4800, Time: "2026-03-01T10:05:00Z", LogonType: null }),
      rec({ RecordId: 12, Id: 4801, Time: "2026-03-01T10:06:00Z", LogonType: null }),
      rec({ RecordId: 13, Id: 4647, Time: "2026-03-01T11:00:00Z", LogonType: null }),
      rec({ RecordId: 500, Id: 6006, Log: "System", Time: "2026-03-01T11:01:00Z", User: null, Domain: null, LogonType: null }),
      rec({ RecordId: 501, Id: 6008, Log: "System", Time: "2026-03-01T12:00:00Z", User: null, Domain: null, LogonType: null }),
    ]);
    expect(parseWindowsEvents(json).map((e) => [e.kind, e.user ?? "", e.key, e.message ?? ""])).toEqual([
      ["user_logon", "CORP\\alice", "Security:10", ""],
      ["user_lock", "CORP\\alice", "Security:11", ""],
      ["user_unlock", "CORP\\alice", "Security:12", ""],
      ["user_logoff", "CORP\\alice", "Security:13", ""],
      ["os_shutdown", "", "System:500", ""],
      ["os_shutdown", "", "System:501", "unexpected shutdown"],
    ]);
  });

  it("leaves out service and network logons, machine accounts, window-manager sessions and bad rows", () => {
    const json = JSON.stringify([
      rec({ RecordId: 1, LogonType: "5" }),
      rec({ RecordId: 2, LogonType: "3" }),
      rec({ RecordId: 3, User: "PC01$" }),
      rec({ RecordId: 4, User: "DWM-1" }),
      rec({ RecordId: 5, User: "SYSTEM" }),
      rec({ RecordId: 6, Id: 4634, LogonType: "3" }),
      { nonsense: true },
      rec({ RecordId: 7, Id: 9999 }),
      rec({ RecordId: 8, LogonType: 10, Domain: "-" }),
    ]);
    expect(parseWindowsEvents(json).map((e) => [e.key, e.user])).toEqual([["Security:8", "alice"]]);
  });

  it("reads a single object (PowerShell's one-row JSON) and empty output", () => {
    expect(parseWindowsEvents(JSON.stringify(rec({})))).toHaveLength(1);
    expect(parseWindowsEvents("")).toEqual([]);
    expect(parseWindowsEvents("[]")).toEqual([]);
  });
});
