/**
 * Logons, logoffs, screen locks and shutdowns on Windows, from the event log through `Get-WinEvent`:
 * Security 4624 (logon), 4634/4647 (logoff), 4800/4801 (lock/unlock); System 6006 (clean shutdown) and
 * 6008 (unexpected shutdown). Boots come from the boot time, not from 6005. The query and the parsing of
 * its JSON are pure, so they are tested on any OS.
 */
import * as z from "zod";
import type { OsEvent, OsEventKind } from "./session-events.js";

/** Interactive (2), remote desktop (10) and cached interactive (11) logons: a person at the PC, not a service. */
const PERSON_LOGON_TYPES = new Set(["2", "10", "11"]);
/** Window manager and font driver sessions log on as type 2 too. */
const SYSTEM_USER_RE = /^(DWM-\d+|UMFD-\d+|SYSTEM|LOCAL SERVICE|NETWORK SERVICE|ANONYMOUS LOGON|.*\$)$/i;

/** The PowerShell that lists the records since `since` as one JSON array (`[]` when there are none). */
export function windowsEventsQuery(since: Date): string {
  return [
    "$ErrorActionPreference = 'Stop'",
    `$since = [DateTime]::Parse('${since.toISOString()}').ToUniversalTime()`,
    "$filters = @(",
    "  @{ LogName = 'Security'; Id = 4624, 4634, 4647, 4800, 4801; StartTime = $since },",
    "  @{ LogName = 'System'; Id = 6006, 6008; StartTime = $since }",
    ")",
    "$rows = foreach ($f in $filters) {",
    "  $records = try { Get-WinEvent -FilterHashtable $f -ErrorAction Stop } catch { if ($_.FullyQualifiedErrorId -notlike 'NoMatchingEventsFound*') { throw }; @() }",
    "  foreach ($r in $records) {",
    "    $data = @{}",
    "    foreach ($d in ([xml]$r.ToXml()).Event.EventData.Data) { if ($d.Name) { $data[$d.Name] = $d.'#text' } }",
    "    [pscustomobject]@{ RecordId = $r.RecordId; Id = $r.Id; Log = $r.LogName; Time = $r.TimeCreated.ToUniversalTime().ToString('o'); User = $data['TargetUserName']; Domain = $data['TargetDomainName']; LogonType = $data['LogonType'] }",
    "  }",
    "}",
    "ConvertTo-Json -InputObject @($rows) -Compress",
  ].join("\n");
}

const recordSchema = z.object({
  RecordId: z.number().int(),
  Id: z.number().int(),
  Log: z.string(),
  Time: z.string(),
  User: z.string().nullish(),
  Domain: z.string().nullish(),
  LogonType: z.union([z.string(), z.number()]).nullish(),
});

const KIND_BY_ID: Record<number, OsEventKind> = {
  4624: "user_logon",
  4634: "user_logoff",
  4647: "user_logoff",
  4800: "user_lock",
  4801: "user_unlock",
  6006: "os_shutdown",
  6008: "os_shutdown",
};

/** Parses the query's JSON; records it cannot use (service logons, machine accounts, bad rows) are left out. */
export function parseWindowsEvents(json: string): OsEvent[] {
  const text = json.trim();
  if (!text) return [];
  const value: unknown = JSON.parse(text);
  const rows = Array.isArray(value) ? value : [value];
  const events: OsEvent[] = [];
  for (const row of rows) {
    const r = recordSchema.safeParse(row);
    if (!r.success) continue;
    const rec = r.data;
    const kind = KIND_BY_ID[rec.Id];
    const t = Date.parse(rec.Time);
    if (!kind || Number.isNaN(t)) continue;
    const key = `${rec.Log}:${rec.RecordId}`;
    const at = new Date(t).toISOString();
    if (kind === "os_shutdown") {
      events.push({ kind, at, source: "eventlog", key, ...(rec.Id === 6008 ? { message: "unexpected shutdown" } : {}) });
      continue;
    }
    const user = rec.User ?? "";
    if (!user || user === "-" || SYSTEM_USER_RE.test(user)) continue;
    // 4647 (user-initiated logoff) and lock/unlock carry no logon type; 4624/4634 do.
    if ((rec.Id === 4624 || rec.Id === 4634) && !PERSON_LOGON_TYPES.has(String(rec.LogonType ?? ""))) continue;
    const domain = rec.Domain && rec.Domain !== "-" ? `${rec.Domain}\\` : "";
    events.push({ kind, at, user: `${domain}${user}`, source: "eventlog", key });
  }
  return events.sort((a, b) => a.at.localeCompare(b.at));
}
