/**
 * A script that prints terminal escape sequences must not drive the operator's terminal: the real
 * `kanade` shows them as visible `\x1b` text in every human view, while `--json` and `--raw` keep the
 * bytes exact. Real nats-server, real backend, a real agent running a real `sh` script.
 */
import { writeFileSync } from "node:fs";
import { createLogger, LogRing, startAgent, type RunningAgent } from "@kanade/agent";
import type { AgentSummary, ResultRecord } from "@kanade/protocol";
import { runCli, startNatsServer, startTestBackend, tempDir, testCommandKeys, waitFor, type NatsServer, type TestBackend } from "@kanade/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const PC = "oe-pc";
/** What the script writes: a window-title OSC, colours, a CRLF, a lone CR and a C1 CSI (U+009B). */
const PRINTED = "\x1b]0;OWNED\x07hello\n\x1b[31mred\x1b[0m\r\nsecond\rover\n\u009bC1\n";
/** The same as `kanade results --full` shows it. */
const SHOWN = "\\x1b]0;OWNED\\x07hello\n\\x1b[31mred\\x1b[0m\r\nsecond\\x0dover\n\\x9bC1\n";
/** The characters in `s` a terminal would act on: controls other than a line break (or the CR of a CRLF). */
function active(s: string): string[] {
  const chars = [...s];
  return chars.filter((c, i) => {
    const n = c.charCodeAt(0);
    return (n < 0x20 && c !== "\n" && !(c === "\r" && chars[i + 1] === "\n")) || (n >= 0x7f && n <= 0x9f);
  });
}

let nats: NatsServer;
let backend: TestBackend;
let agent: RunningAgent | undefined;
const ring = new LogRing();
const dir = tempDir("kanade-output-escape-");

const kanade = (...args: string[]) => runCli(args, { backendUrl: backend.url, token: backend.token, timeoutMs: 30_000 });

beforeAll(async () => {
  nats = await startNatsServer();
  backend = await startTestBackend(nats.url);
  agent = await startAgent(
    { pcId: PC, natsUrl: nats.url, dataDir: dir.join(PC), logLevel: "info", heartbeatIntervalMs: 1_000, commandKeys: testCommandKeys().keys },
    { log: createLogger("info", {}, { ring, stderr: false }), logRing: ring },
  );
  await waitFor(async () => {
    const r = await kanade("agents", "--json");
    return (JSON.parse(r.stdout) as AgentSummary[]).some((a) => a.pc_id === PC && a.online);
  }, { what: `${PC} online` });
});

afterAll(async () => {
  await agent?.stop();
  await backend?.close();
  await nats?.dispose();
  dir.remove();
});

describe("script output printed by the CLI", () => {
  let execId = "";

  it("runs the script and shows its first line escaped in the exec --wait table", async () => {
    // Shared settings through an x- field and a << merge key, as operators write them.
    const file = dir.join("evil.yaml");
    writeFileSync(
      file,
      [
        "x-posix: &posix",
        "  shell: sh",
        "  timeout: 30s",
        "id: evil-output",
        "version: 1.0.0",
        "execute:",
        "  <<: *posix",
        "  script: |",
        "    printf '\\033]0;OWNED\\007hello\\n\\033[31mred\\033[0m\\r\\nsecond\\rover\\n\\302\\233C1\\n'",
        "",
      ].join("\n"),
    );
    const created = await kanade("job", "create", file);
    expect(created.stderr).toBe("");
    expect(created.stdout).toBe("created evil-output 1.0.0\n");

    const run = await kanade("exec", "evil-output", "--pcs", PC, "--wait", "--timeout", "20s");
    expect(run.stderr).not.toMatch(/error/);
    expect(run.code).toBe(0);
    execId = /^exec_id: (\S+)$/m.exec(run.stdout)?.[1] ?? "";
    expect(run.stdout).toMatch(new RegExp(`^${PC}\\s+succeeded\\s+0\\s+\\S+\\s+\\\\x1b\\]0;OWNED\\\\x07hello$`, "m"));
    expect(active(run.stdout)).toEqual([]);
  });

  it("escapes the results table, results --full and the execution detail", async () => {
    const table = await kanade("results", "--exec", execId);
    expect(table.stdout).toContain("\\x1b]0;OWNED\\x07hello");
    expect(active(table.stdout)).toEqual([]);

    const full = await kanade("results", "--exec", execId, "--full");
    expect(full.code).toBe(0);
    expect(full.stdout).toContain(`--- stdout ---\n${SHOWN}--- stderr ---\n`);
    expect(active(full.stdout)).toEqual([]);

    const detail = await kanade("executions", execId);
    expect(detail.stdout).toMatch(/^job: evil-output 1\.0\.0$/m);
    expect(detail.stdout).toContain("\\x1b]0;OWNED\\x07hello");
    expect(active(detail.stdout)).toEqual([]);
  });

  it("keeps --json byte-exact", async () => {
    const r = await kanade("results", "--exec", execId, "--full", "--json");
    const [result] = JSON.parse(r.stdout) as ResultRecord[];
    expect(result?.stdout).toBe(PRINTED);
    expect(r.stdout).toContain("\u009bC1"); // JSON leaves C1 as it is; nothing rewrote it
    expect(r.stdout).not.toContain("\\\\x1b");
  });
});

describe("agent log lines printed by the CLI", () => {
  it("escapes them for reading and keeps --raw byte-exact", async () => {
    ring.write("plain \x1b]0;OWNED\x07 line\n");
    const human = await kanade("logs", PC, "--tail", "1");
    expect(human.stdout).toBe("plain \\x1b]0;OWNED\\x07 line\n");
    const raw = await kanade("logs", PC, "--tail", "1", "--raw");
    expect(raw.stdout).toBe("plain \x1b]0;OWNED\x07 line\n");
  });
});
