/**
 * deploy/linux/install-client.sh run for real, as the agent would run it (knobs edited in, like an operator
 * does before `kanade script publish`), against a real backend holding the package: the digest is checked
 * before anything is touched, the binary is renamed into place, the XDG autostart entry is written, and the
 * JSON line for the inventory facts comes last.
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startNatsServer, startTestBackend, tempDir, type NatsServer, type TestBackend } from "@kanade/testkit";

const SCRIPT = readFileSync(fileURLToPath(new URL("../../deploy/linux/install-client.sh", import.meta.url)), "utf8");
const BUILD = Buffer.from("#!/bin/sh\necho 'kanade-client 9.9.9'\n");
const SHA = createHash("sha256").update(BUILD).digest("hex");

/** The script with its knobs set, as an operator edits it. */
function edited(knobs: Record<string, string>): string {
  let text = SCRIPT;
  for (const [k, v] of Object.entries(knobs)) {
    const before = text;
    text = text.replace(new RegExp(`^${k}='[^']*'`, "m"), `${k}='${v}'`);
    if (text === before) throw new Error(`no knob ${k}`);
  }
  return text;
}

/** Runs `sh <file>` without blocking this process (the backend answering its download lives here). */
function sh(file: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const c = spawn("sh", [file], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    c.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    c.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    c.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

describe("deploy/linux/install-client.sh against a backend", () => {
  let nats: NatsServer;
  let backend: TestBackend;
  const dir = tempDir("kanade-client-install-");

  beforeAll(async () => {
    nats = await startNatsServer();
    backend = await startTestBackend(nats.url);
    const put = await fetch(`${backend.url}/api/app-packages/kanade-client/9.9.9`, {
      method: "POST",
      headers: { authorization: `Bearer ${backend.token}`, "content-type": "application/octet-stream" },
      body: BUILD,
    });
    expect(put.status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await backend?.close();
    await nats?.dispose();
    dir.remove();
  });

  const knobs = (sha: string): Record<string, string> => ({
    AGENT_SOURCE_URL: backend.url,
    AGENT_SOURCE_VERSION: "9.9.9",
    AGENT_SOURCE_SHA256: sha,
    AGENT_SOURCE_AUTH_TOKEN: backend.token,
    INSTALL_PATH: dir.join("opt/kanade/bin/kanade-client"),
    AUTOSTART_FILE: dir.join("etc/xdg/autostart/kanade-client.desktop"),
  });

  it("refuses to run with its knobs unset, naming them", async () => {
    writeFileSync(dir.join("plain.sh"), SCRIPT);
    const r = await sh(dir.join("plain.sh"));
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("kanade-client install failed: set AGENT_SOURCE_URL and AGENT_SOURCE_VERSION at the top of the script\n");
  });

  it("installs the package, writes the autostart entry and prints the inventory line", async () => {
    writeFileSync(dir.join("good.sh"), edited(knobs(SHA)));
    const r = await sh(dir.join("good.sh"));
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const installed = dir.join("opt/kanade/bin/kanade-client");
    expect(readFileSync(installed)).toEqual(BUILD);
    expect(statSync(installed).mode & 0o777).toBe(0o755);
    expect(existsSync(`${installed}.new`)).toBe(false);
    expect(readFileSync(dir.join("etc/xdg/autostart/kanade-client.desktop"), "utf8")).toBe(
      `[Desktop Entry]\nType=Application\nName=kanade\nComment=Notices from IT and self-service\nExec=${installed}\nTerminal=false\nX-GNOME-Autostart-enabled=true\n`,
    );
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toBe(`downloading ${backend.url}/api/app-packages/kanade-client/9.9.9`);
    expect(JSON.parse(lines.at(-1)!)).toEqual({ version: "9.9.9", path: installed, sha256: SHA });
  });

  it("leaves the installed copy alone when the digest does not match", async () => {
    const installed = dir.join("opt/kanade/bin/kanade-client");
    writeFileSync(installed, "the copy already there");
    writeFileSync(dir.join("bad.sh"), edited(knobs("0".repeat(64))));
    const r = await sh(dir.join("bad.sh"));
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`kanade-client install failed: sha256 mismatch - expected=${"0".repeat(64)} actual=${SHA}; the installed copy was not touched\n`);
    expect(readFileSync(installed, "utf8")).toBe("the copy already there");
  });

  it("refuses a version or path that would not fit the JSON line and the .desktop file", async () => {
    writeFileSync(dir.join("odd.sh"), edited({ ...knobs(SHA), INSTALL_PATH: `${dir.path}/a b/kanade-client` }));
    const r = await sh(dir.join("odd.sh"));
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("INSTALL_PATH: an absolute path");
  });
});
