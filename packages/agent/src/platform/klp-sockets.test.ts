import { spawn } from "node:child_process";
import { mkdirSync, statSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { pino } from "pino";
import { tempDir, type TempDir } from "@kanade/testkit";
import { uidSockets, type KlpEndpoints } from "./klp-sockets.js";

const log = pino({ level: "silent" });
const self = process.getuid?.() ?? 0;
let dir: TempDir | undefined;
let endpoints: KlpEndpoints | undefined;

afterEach(async () => {
  await endpoints?.stop();
  endpoints = undefined;
  dir?.remove();
});

function open(users: number[] = [], seen: string[] = []): KlpEndpoints {
  dir = tempDir("kanade-klp-sockets-");
  const usersDir = dir.join("users");
  mkdirSync(usersDir);
  for (const u of users) mkdirSync(join(usersDir, String(u)));
  endpoints = uidSockets({ dir: dir.join("klp"), usersDir, log, onConnection: (s, user) => (seen.push(user), s.destroy()) });
  return endpoints;
}

describe.skipIf(process.platform === "win32")("per-uid KLP sockets", () => {
  it("makes the directory 0711 and each socket 0600, owned by its user, and names connections by socket", async () => {
    const seen: string[] = [];
    const e = open([], seen);
    await e.start();
    expect(statSync(dir!.join("klp")).mode & 0o777).toBe(0o711);
    const sock = statSync(dir!.join("klp", `${self}.sock`));
    expect(sock.isSocket()).toBe(true);
    expect(sock.mode & 0o777).toBe(0o600);
    expect(sock.uid).toBe(self);
    await new Promise<void>((resolve, reject) => connect(dir!.join("klp", `${self}.sock`)).once("close", () => resolve()).once("error", reject));
    expect(seen).toEqual([`uid:${self}`]);
  });

  it("refuses a directory another live agent holds, and takes over one a dead agent left", async () => {
    const e = open();
    mkdirSync(dir!.join("klp"));
    const other = spawn("sleep", ["30"]);
    try {
      writeFileSync(dir!.join("klp", "agent.pid"), String(other.pid));
      await expect(e.start()).rejects.toThrow(/in use by another agent/);
    } finally {
      other.kill("SIGKILL");
      await new Promise((r) => other.once("exit", r));
    }
    await e.start();
    expect(e.uids()).toEqual([self]);
  });
});
