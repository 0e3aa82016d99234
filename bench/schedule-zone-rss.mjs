/**
 * What planning one schedule in the zone `local` adds to a process's resident memory (MiB, from /proc):
 * with Intl (the first Intl.DateTimeFormat loads ICU's date-formatting data) or without it (schedule-time.ts,
 * LOCAL_ZONE). Run it under the agent's flags, in a zone with DST, against any build's protocol:
 *
 *   TZ=Europe/Berlin node --lite-mode bench/schedule-zone-rss.mjs [path/to/packages/protocol/dist/wire.js]
 */
import { readFileSync } from "node:fs";

const wire = process.argv[2] ?? new URL("../packages/protocol/dist/wire.js", import.meta.url).href;
const { validateSchedule, planFires } = await import(wire);

function mem() {
  const status = readFileSync("/proc/self/status", "utf8");
  const mib = (key) => Math.round((Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(status)?.[1]) / 1024) * 10) / 10;
  return { rss_mib: mib("VmRSS"), anon_mib: mib("RssAnon"), file_mib: mib("RssFile") };
}

const before = mem();
const parsed = validateSchedule({ id: "s", job: "j", target: { all: true }, when: { calendar: { at: "02:30" }, tz: "local" } });
if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
planFires(parsed.schedule, Date.now(), 10);
const after = mem();
const delta = Object.fromEntries(Object.keys(after).map((k) => [k, Math.round((after[k] - before[k]) * 10) / 10]));
console.log(JSON.stringify({ bench: "schedule-zone-rss", node: process.version, tz: process.env.TZ ?? null, wire, before, after, added: delta }));
