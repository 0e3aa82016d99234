/**
 * `npx tsx bench/perf-helper.ts [--samples N] [--rate R]`: what watching live perf costs the agent's
 * host when every sample starts a process (the old Windows source: powershell.exe per query) versus one
 * long-lived helper asked over stdin (perf/line-helper.ts). Runs on Linux with a Node stand-in for the
 * helper, so it measures the mechanism, not PowerShell: CPU of the agent process itself and of the
 * helper processes (reaped children, from /proc/self/stat), per sample. Prints one JSON line per mode.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { LineHelper } from "../packages/agent/src/perf/line-helper.js";

const ANSWER = 'process.stdout.write(JSON.stringify({disk_read:1,disk_write:2,net_rx:3,net_tx:4})+"\\n")';
const SERVER = `require("node:readline").createInterface({input:process.stdin}).on("line",()=>{${ANSWER}}).on("close",()=>process.exit(0));`;
const TICKS = 100; // USER_HZ

/** CPU seconds of this process and of its reaped children, from /proc/self/stat (fields 14-17). */
function cpu(): { self: number; children: number } {
  const stat = readFileSync("/proc/self/stat", "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ").map(Number);
  return { self: (f[11]! + f[12]!) / TICKS, children: (f[13]! + f[14]!) / TICKS };
}

const spawnOnce = (): Promise<void> =>
  new Promise((resolve, reject) => execFile(process.execPath, ["-e", ANSWER], (err) => (err ? reject(err) : resolve())));

async function measure(mode: string, samples: number, intervalMs: number, sample: () => Promise<unknown>, end: () => Promise<void> = async () => undefined): Promise<void> {
  const before = cpu();
  const t0 = Date.now();
  for (let i = 0; i < samples; i++) {
    const started = Date.now();
    await sample();
    const wait = intervalMs - (Date.now() - started);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  const wallS = (Date.now() - t0) / 1000;
  await end(); // the helper's CPU is counted once it has exited and been reaped
  const after = cpu();
  const selfS = after.self - before.self;
  const childS = after.children - before.children;
  console.log(
    JSON.stringify({
      bench: "perf-helper",
      mode,
      samples,
      rate_per_s: Math.round((samples / wallS) * 10) / 10,
      agent_cpu_ms_per_sample: Math.round((selfS * 1000) / samples * 10) / 10,
      helper_cpu_ms_per_sample: Math.round((childS * 1000) / samples * 10) / 10,
      total_cpu_pct_of_one_core: Math.round(((selfS + childS) / wallS) * 1000) / 10,
    }),
  );
}

const { values } = parseArgs({ options: { samples: { type: "string", default: "40" }, rate: { type: "string", default: "4" } } });
const samples = Number(values.samples);
const intervalMs = 1000 / Number(values.rate);
await measure("process-per-sample", samples, intervalMs, spawnOnce);
const helper = new LineHelper({ file: process.execPath, args: ["-e", SERVER] });
await measure("one-long-lived-helper", samples, intervalMs, () => helper.request("io", 10_000), async () => {
  helper.close();
  await new Promise((r) => setTimeout(r, 1_000));
});
