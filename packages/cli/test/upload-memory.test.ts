/**
 * `kanade app publish` of a 256 MiB file to a backend that is slow to read: the real `kanade` process
 * stays small, because the body goes out over node:http as the socket drains (Node 20's fetch held the
 * whole file: about 340 MiB peak for this upload). What is judged is the growth during the upload — the peak
 * when the body has arrived over the peak when the request began, with every module loaded — so a bigger
 * CLI does not move the bar; holding the file would grow it by its size. Prints its figures as one JSON line.
 */
import { spawn } from "node:child_process";
import { readFileSync, truncateSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { tempDir, type TempDir } from "@kanade/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const MIB = 1024 * 1024;
const SIZE = 256 * MIB;
const KANADE = fileURLToPath(new URL("../bin/kanade.js", import.meta.url));

/** Peak resident memory of a live process, from /proc. */
const peakRssMib = (pid: number): number => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]) / 1024;

let dir: TempDir;
let server: Server;
let url = "";
/** The pid of the running `kanade`, read by the server when the whole body has arrived. */
let childPid = 0;
const seen: { received: number; startMib: number; peakMib: number }[] = [];

beforeAll(async () => {
  dir = tempDir("kanade-upload-memory-");
  writeFileSync(dir.join("big.bin"), "");
  truncateSync(dir.join("big.bin"), SIZE); // sparse: no disk write, reads as zeros
  server = createServer((req, res) => {
    req.pause();
    const startMib = peakRssMib(childPid);
    // Slow to start reading, as a backend busy writing to the object store would be.
    setTimeout(() => {
      let received = 0;
      req.on("data", (c: Buffer) => (received += c.length));
      req.on("end", () => {
        seen.push({ received, startMib, peakMib: peakRssMib(childPid) });
        const stored = { key: "big/1.0.0", name: "big", version: "1.0.0", size: received, digest: "SHA-256=x", sha256: "00", mtime: new Date().toISOString() };
        res.writeHead(201, { "content-type": "application/json" }).end(JSON.stringify(stored));
      });
      req.resume();
    }, 1_000);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  dir?.remove();
});

describe("kanade app publish of a large file", () => {
  it("uploads all of it while its memory stays far below the file's size", async () => {
    const child = spawn(process.execPath, [KANADE, "app", "publish", "big", "1.0.0", dir.join("big.bin"), "--json"], {
      env: { ...process.env, KANADE_BACKEND_URL: url, KANADE_AUTH_TOKEN: "t", NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    childPid = child.pid ?? 0;
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ key: "big/1.0.0", size: SIZE });
    const [upload] = seen;
    expect(upload?.received).toBe(SIZE);
    const growth = upload!.peakMib - upload!.startMib;
    console.log(JSON.stringify({ bench: "cli-upload-256mib", cli_rss_at_request_mib: Math.round(upload!.startMib), cli_peak_rss_mib: Math.round(upload!.peakMib), growth_mib: Math.round(growth) }));
    expect(growth).toBeLessThan(SIZE / MIB / 2);
  });
});
