/**
 * The functions a V8 CPU profile (from `BENCH_CPU_PROF=<dir> npm run bench`) spent its time in, counted only
 * within the runs the bench wrote to `<dir>/windows.jsonl`, so the fleet's start does not drown the fan-outs.
 * Sample time is wall time on the process's thread: on a busy machine it includes waiting for a core.
 *
 *   tsx bench/profile-top.ts /tmp/prof/CPU.….cpuprofile            # ours, every size; top 30 self, top 30 inclusive
 *   SIDE=floor AGENTS=5000 TOP=50 tsx bench/profile-top.ts <file>
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}
interface Window {
  side: string;
  agents: number;
  start_us: number;
  end_us: number;
}

const file = process.argv[2];
if (!file) throw new Error("usage: tsx bench/profile-top.ts <file.cpuprofile>");
const side = process.env.SIDE ?? "ours";
const top = Number(process.env.TOP ?? 30);
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile;
const windowsFile = join(dirname(file), "windows.jsonl");
const windows = (existsSync(windowsFile) ? readFileSync(windowsFile, "utf8").trim().split("\n") : [])
  .filter((l) => l !== "")
  .map((l) => JSON.parse(l) as Window)
  .filter((w) => w.side === side && (!process.env.AGENTS || w.agents === Number(process.env.AGENTS)));
const within = (t: number): boolean => windows.length === 0 || windows.some((w) => t >= w.start_us && t <= w.end_us);

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const name = (n: ProfileNode): string => `${n.callFrame.functionName || "(anonymous)"} ${n.callFrame.url.split("/").slice(-3).join("/")}:${n.callFrame.lineNumber}`;

// A sample's time is the delta to the next one.
const perNode = new Map<number, number>();
let t = profile.startTime;
let total = 0;
profile.samples.forEach((id, i) => {
  t += profile.timeDeltas[i] ?? 0;
  const dt = profile.timeDeltas[i + 1] ?? 0;
  if (!within(t)) return;
  perNode.set(id, (perNode.get(id) ?? 0) + dt);
  total += dt;
});
const self = new Map<string, number>();
const inclusive = new Map<string, number>();
for (const [id, dt] of perNode) {
  const leaf = byId.get(id)!;
  self.set(name(leaf), (self.get(name(leaf)) ?? 0) + dt);
  const seen = new Set<string>();
  for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) {
    const k = name(byId.get(x)!);
    if (seen.has(k)) continue;
    seen.add(k);
    inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
  }
}
const print = (title: string, m: Map<string, number>): void => {
  console.log(`--- ${title} (ms)`);
  for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${(us / 1000).toFixed(1).padStart(9)}  ${k}`);
};
console.log(`${windows.length} ${side} runs, ${(total / 1000).toFixed(0)} ms of samples within them`);
print("self", self);
print("inclusive", inclusive);
