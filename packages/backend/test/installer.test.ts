/**
 * One-line installers: `GET /api/agents/installer.sh|ps1?token=…` answer only to a valid enrollment token,
 * pin the newest release's digest, and the script's own download-and-check step works against this backend.
 */
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SERVICES, WINSW_EXE_CONFIG, winswXml, type AgentRelease, type EnrollTokenCreated } from "@kanade/protocol";
import {
  checkPowerShell,
  checkPowerShellRules,
  formatPowerShellProblems,
  startLockedNatsServer,
  startTestBackend,
  tempDir,
  type LockedNats,
  type TestBackend,
} from "@kanade/testkit";
import { installerPs1 } from "../src/enrollment/installer.js";
import { readServiceWrapper, serviceWrapperPath } from "../src/enrollment/installer-files.js";

/** The body of the single-quoted here-string assigned to `$name` in a generated script. */
function hereString(script: string, name: string): string | undefined {
  return new RegExp(`^\\$${name} = @'\\n([\\s\\S]*?)\\n'@$`, "m").exec(script)?.[1];
}

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
// Stands in for the WinSW exe (the backend hands out whatever file agent_service_wrapper names).
const WRAPPER = Buffer.from("MZ fake WinSW wrapper for the installer test");
const WRAPPER_SHA = createHash("sha256").update(WRAPPER).digest("hex");

describe("agent installers", () => {
  let broker: LockedNats;
  let backend: TestBackend;
  let token: string;
  const dir = tempDir("kanade-installer-");

  beforeAll(async () => {
    writeFileSync(dir.join("KanadeAgent.exe"), WRAPPER);
    broker = await startLockedNatsServer();
    backend = await startTestBackend(broker.url, {
      natsAuthDir: broker.authDir,
      agentNatsUrl: "nats://kanade.example:4222",
      agentServiceWrapper: dir.join("KanadeAgent.exe"),
    });
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

  it("gives a Windows script that installs the KanadeAgent service as deploy/agent.ps1 does, pinning both downloads", async () => {
    const res = await fetch(`${backend.url}/api/agents/installer.ps1?token=${encodeURIComponent(token)}`);
    expect(res.status).toBe(200);
    const script = await res.text();
    const check = await checkPowerShell(script);
    expect(check.ok, formatPowerShellProblems("installer.ps1", check.problems)).toBe(true);
    const rules = await checkPowerShellRules(script);
    expect(rules, formatPowerShellProblems("installer.ps1", rules)).toEqual([]);
    expect(script).toContain(`$ReleaseSha256 = '${SHA}'`);
    expect(script).toContain(`$WrapperSha256 = '${WRAPPER_SHA}'`);
    expect(script).toContain(`$WrapperUrl = '${backend.url}/api/agents/installer.winsw?token=${encodeURIComponent(token)}'`);
    expect(script).toContain(`$EnrollToken = '${token}'`);
    expect(script).toContain("$NatsUrl = 'nats://kanade.example:4222'");
    // The wrapper's XML and .exe.config are the ones the release build generates for the agent role.
    expect(hereString(script, "ServiceXml")).toBe(winswXml(SERVICES.agent).replace(/\r\n/g, "\n").trimEnd());
    expect(hereString(script, "ServiceExeConfig")).toBe(WINSW_EXE_CONFIG.replace(/\r\n/g, "\n").trimEnd());
    expect(hereString(script, "EnrollCreds")).toContain("-----BEGIN NATS USER JWT-----");
    expect(script).toContain("$KanadeService = 'KanadeAgent'");
    // Both exes land in %ProgramFiles%\Kanade, the service is registered through the wrapper, started and checked.
    expect(script).toMatch(/foreach \(\$file in @\('kanade-agent\.exe', "\$KanadeService\.exe"\)\)/);
    expect(script).toContain("& $wrapper install");
    expect(script).toContain("Start-Service -Name $KanadeService");
    expect(script).toMatch(/\(Get-Service -Name \$KanadeService\)\.Status -ne 'Running'/);
    // The registry values the agent reads, in a key locked down before the service first starts.
    const lock = script.indexOf("Set-KanadeInstallAcl -Path $KanadeRegistryKey");
    expect(lock).toBeGreaterThan(0);
    expect(lock).toBeLessThan(script.indexOf("Start-Service"));
    for (const name of ["EnrollToken", "EnrollCreds", "NatsCa"]) expect(script).toContain(`-Name '${name}'`);
    // Pasted into `| iex`: it may not close the technician's shell, nor lean on files it does not bring.
    expect(script).not.toMatch(/^\s*exit\b/m);
    expect(script).not.toContain("agent.ps1");
    // Fetching the script uses none of the token's uses: only an agent's join request does.
    expect((await backend.api<{ items: { uses_left: number }[] }>("GET", "/api/enroll-tokens")).body.items[0]?.uses_left).toBe(5);
  });

  it("serves the service wrapper only to a valid token, with the digest the script pins", async () => {
    const bad = await fetch(`${backend.url}/api/agents/installer.winsw?token=kanade-enroll-nope`);
    expect(bad.status).toBe(401);
    // Read to the end: a body left unread keeps its connection, and the backend's close waits for it.
    await bad.arrayBuffer();
    const res = await fetch(`${backend.url}/api/agents/installer.winsw?token=${encodeURIComponent(token)}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-kanade-sha256")).toBe(WRAPPER_SHA);
    expect(Buffer.from(await res.arrayBuffer()).equals(WRAPPER)).toBe(true);
  });
});

describe("installer files and text", () => {
  const release: AgentRelease = { key: "3.1.0", version: "3.1.0", platform: "windows-x64", size: 1, sha256: "a".repeat(64), digest: "", mtime: "" };
  const base = { backendUrl: "https://kanade.example", natsUrl: "tls://kanade.example:4222", token: "kanade-enroll-x'y", release, enrollCreds: "creds" };
  const wrapper = { path: "w", size: 1, sha256: "b".repeat(64), data: Buffer.from("w") };

  it("hands a tls:// fleet's CA to the agent as NatsCa, and quotes the token", async () => {
    const script = installerPs1({ ...base, caPem: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", serviceWrapper: wrapper });
    expect(hereString(script, "NatsCa")).toBe("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----");
    expect(script).toContain("$EnrollToken = 'kanade-enroll-x''y'");
    expect((await checkPowerShell(script)).ok).toBe(true);
    expect(installerPs1({ ...base, serviceWrapper: wrapper })).toContain("$NatsCa = ''");
  });

  it("refuses text that would end a here-string early", () => {
    expect(() => installerPs1({ ...base, enrollCreds: "x\n'@\nWrite-Output pwned", serviceWrapper: wrapper })).toThrow(/here-string/);
  });

  it("finds the wrapper: configured, else beside a Windows backend, else a CONFLICT naming the setting", () => {
    const d = tempDir("kanade-wrapper-");
    try {
      writeFileSync(d.join("KanadeBackend.exe"), WRAPPER);
      expect(serviceWrapperPath("C:/given.exe", "win32", d.join("kanade-backend.exe"))).toBe("C:/given.exe");
      expect(serviceWrapperPath(undefined, "win32", d.join("kanade-backend.exe"))).toBe(d.join("KanadeBackend.exe"));
      expect(serviceWrapperPath(undefined, "linux", d.join("kanade-backend"))).toBeUndefined();
      expect(readServiceWrapper(d.join("KanadeBackend.exe"))).toMatchObject({ size: WRAPPER.length, sha256: WRAPPER_SHA });
      expect(() => readServiceWrapper(undefined)).toThrow(/agent_service_wrapper/);
      expect(() => readServiceWrapper(d.join("missing.exe"))).toThrow(/cannot read/);
    } finally {
      d.remove();
    }
  });
});
