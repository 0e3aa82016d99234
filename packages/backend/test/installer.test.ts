/**
 * One-line installers: `GET /api/agents/installer.sh|ps1?token=…` answer only to a valid enrollment token,
 * pin the newest release's digest, and the script's own download-and-check step works against this backend.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EnrollTokenCreated } from "@kanade/protocol";
import { checkPowerShell, formatPowerShellProblems, startLockedNatsServer, startTestBackend, tempDir, type LockedNats, type TestBackend } from "@kanade/testkit";

/** Runs `sh -c` without blocking this process: the backend answering the script's download lives here. */
function sh(script: string): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn("sh", ["-c", script], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    c.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    c.on("close", (status) => resolve({ status, stderr }));
  });
}

const BUILD = Buffer.from("#!/bin/sh\necho kanade-agent 3.1.0\n");
const SHA = createHash("sha256").update(BUILD).digest("hex");

describe("agent installers", () => {
  let broker: LockedNats;
  let backend: TestBackend;
  let token: string;
  const dir = tempDir("kanade-installer-");

  beforeAll(async () => {
    broker = await startLockedNatsServer();
    backend = await startTestBackend(broker.url, { natsAuthDir: broker.authDir, agentNatsUrl: "nats://kanade.example:4222" });
    for (const platform of ["linux-x64", "windows-x64"]) {
      const res = await fetch(`${backend.url}/api/agent-releases?version=3.1.0&platform=${platform}`, {
        method: "POST",
        headers: { authorization: `Bearer ${backend.token}`, "content-type": "application/octet-stream" },
        body: BUILD,
      });
      expect(res.status).toBe(201);
    }
    token = (await backend.api<EnrollTokenCreated>("POST", "/api/enroll-tokens", { group: "lab", uses: 5 })).body.token;
  });
  afterAll(async () => {
    await backend?.close();
    await broker?.dispose();
    dir.remove();
  });

  it("refuses a missing, unknown or used-up token", async () => {
    expect((await fetch(`${backend.url}/api/agents/installer.sh`)).status).toBe(400);
    const bad = await fetch(`${backend.url}/api/agents/installer.sh?token=kanade-enroll-nope`);
    expect(bad.status).toBe(401);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe("UNAUTHORIZED");
    expect((await fetch(`${backend.url}/api/agents/installer.bin?token=kanade-enroll-nope&key=3.1.0-linux-x64`)).status).toBe(401);
  });

  it("gives a Linux script that downloads the release, checks its digest and enrolls with the token", async () => {
    const res = await fetch(`${backend.url}/api/agents/installer.sh?token=${encodeURIComponent(token)}`);
    expect(res.status).toBe(200);
    const script = await res.text();
    expect(spawnSync("sh", ["-n"], { input: script }).status).toBe(0);
    expect(script).toContain(`SHA256='${SHA}'`);
    expect(script).toContain("NATS_URL='nats://kanade.example:4222'");
    expect(script).toContain(`ENROLL_TOKEN='${token}'`);
    expect(script).toContain("-----BEGIN NATS USER JWT-----");
    expect(script).toContain("systemctl enable --now kanade-agent");

    // The script's fetch-and-verify part, run for real (without the root-only install that follows).
    const head = script.split("\n").filter((l) => !l.startsWith("[ \"$(id -u)\"") && !l.startsWith("command -v systemctl"));
    const verify = head.slice(0, head.findIndex((l) => l.startsWith("install -d -m 0755"))).join("\n") + `\ncp "$tmp" ${dir.join("got")}\n`;
    const ok = await sh(verify);
    expect(ok.status, ok.stderr).toBe(0);
    expect(createHash("sha256").update(readFileSync(dir.join("got"))).digest("hex")).toBe(SHA);
    const tampered = await sh(verify.replace(SHA, "0".repeat(64)));
    expect(tampered.status).toBe(1);
    expect(tampered.stderr).toMatch(/does not match SHA-256/);
  });

  it("gives a Windows script that parses and pins the Windows build's digest", async () => {
    const res = await fetch(`${backend.url}/api/agents/installer.ps1?token=${encodeURIComponent(token)}`);
    expect(res.status).toBe(200);
    const script = await res.text();
    const check = await checkPowerShell(script);
    expect(check.ok, formatPowerShellProblems("installer.ps1", check.problems)).toBe(true);
    expect(script).toContain(`$Sha256 = '${SHA}'`);
    expect(script).toContain("-SourceDir $src -EnrollToken $EnrollToken");
    // Fetching the script uses none of the token's uses: only an agent's join request does.
    expect((await backend.api<{ items: { uses_left: number }[] }>("GET", "/api/enroll-tokens")).body.items[0]?.uses_left).toBe(5);
  });
});
