/**
 * Compliance checks (issue 14): the repo's example checks (their POSIX twins) run by a real agent through the
 * real backend, judged per PC with history and "since when", and a failing check's webhook retried with
 * backoff against a real HTTP server until it takes the POST.
 */
import { execFileSync } from "node:child_process";
import { createServer, type Server } from "node:http";
import { utimesSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditRecord, ComplianceCheck, ComplianceDetail, ComplianceHistoryEntry, ListResponse } from "@kanade/protocol";
import {
  REPO_ROOT,
  runCli,
  startNatsServer,
  startTestBackend,
  startTestFleet,
  tempDir,
  waitFor,
  type NatsServer,
  type TestBackend,
  type TestFleet,
} from "@kanade/testkit";

const PC = "cmp-pc-1";
let nats: NatsServer;
let backend: TestBackend;
let fleet: TestFleet;
let hook: Server;
const posts: unknown[] = [];
const files = tempDir("kanade-compliance-");
const clamav = tempDir("kanade-clamav-");
const certFile = files.join("client.pem");

const kanade = (...args: string[]) => runCli(args, { backendUrl: backend.url, token: backend.token });
const example = (name: string): string => `${REPO_ROOT}configs/jobs/checks/${name}-posix.yaml`;
const json = async <T>(...args: string[]): Promise<T> => {
  const r = await kanade(...args, "--json");
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
};
const run = async (job: string): Promise<void> => {
  const r = await kanade("exec", job, "--pcs", PC, "--wait");
  expect(r.code, r.stderr).toBe(0);
};
const makeCert = (days: number): void => {
  execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", files.join("key.pem"), "-out", certFile, "-days", String(days), "-subj", `/CN=${PC}`], { stdio: "ignore" });
};

beforeAll(async () => {
  // The POSIX twins read these from the agent's environment (the agents run in this process).
  process.env.KANADE_CHECK_CLAMAV_DIR = clamav.path;
  process.env.KANADE_CHECK_CERT_FILE = certFile;
  let failuresLeft = 2;
  hook = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString("utf8")));
    req.on("end", () => {
      posts.push(JSON.parse(body));
      res.statusCode = failuresLeft-- > 0 ? 500 : 200;
      res.end();
    });
  });
  await new Promise<void>((r) => hook.listen(0, "127.0.0.1", r));
  nats = await startNatsServer();
  backend = await startTestBackend(nats.url);
  fleet = await startTestFleet(nats.url, [PC]);
  await waitFor(async () => (await backend.api<ListResponse<unknown>>("GET", "/api/agents")).body.items.length === 1, { what: "the agent" });
});

afterAll(async () => {
  await fleet?.close();
  await backend?.close();
  await nats?.dispose();
  await new Promise((r) => hook?.close(r));
  files.remove();
  clamav.remove();
  delete process.env.KANADE_CHECK_CLAMAV_DIR;
  delete process.env.KANADE_CHECK_CERT_FILE;
});

describe("compliance checks", () => {
  it("judges the example checks per PC, with history and since when", { timeout: 120_000 }, async () => {
    for (const name of ["disk-encryption", "av-signatures", "cert-expiry"]) expect((await kanade("job", "create", example(name))).code).toBe(0);
    writeFileSync(clamav.join("daily.cld"), "signatures");
    makeCert(10);
    for (const job of ["check-disk-encryption-posix", "check-av-signatures-posix", "check-cert-expiry-posix"]) await run(job);

    const checks = await json<ComplianceCheck[]>("compliance");
    const byId = new Map(checks.map((c) => [c.job_id, c]));
    expect(byId.get("check-av-signatures-posix")).toMatchObject({ total: 1, pass: 1, pass_rate: 1 });
    expect(byId.get("check-cert-expiry-posix")).toMatchObject({ total: 1, fail: 1, pass_rate: 0 });
    // Whether this machine's / is encrypted is not ours to decide, but the check must reach a verdict.
    expect(byId.get("check-disk-encryption-posix")).toMatchObject({ total: 1, unknown: 0 });

    const cert = await json<ComplianceDetail>("compliance", "check-cert-expiry-posix");
    expect(cert.items[0]).toMatchObject({ pc_id: PC, verdict: "fail", version: "1.0.0" });
    expect(cert.items[0]!.detail).toMatch(/client\.pem: .*GMT/);

    // A renewed certificate passes; the old signatures now fail; history keeps both verdicts in order.
    makeCert(90);
    const old = (Date.now() - 5 * 86_400_000) / 1000;
    utimesSync(clamav.join("daily.cld"), old, old);
    await run("check-cert-expiry-posix");
    await run("check-av-signatures-posix");
    const renewed = await json<ComplianceDetail>("compliance", "check-cert-expiry-posix");
    expect(renewed.items[0]).toMatchObject({ verdict: "pass" });
    expect(renewed.items[0]!.since).toBe(renewed.items[0]!.checked_at);
    const history = await json<ComplianceHistoryEntry[]>("compliance", "check-cert-expiry-posix", "--pc", PC);
    expect(history.map((h) => h.verdict)).toEqual(["pass", "fail"]);
    expect((await json<ComplianceDetail>("compliance", "check-av-signatures-posix")).items[0]).toMatchObject({ verdict: "fail", detail: expect.stringMatching(/daily\.cld is 1[12]\d h old/) });

    const table = await kanade("compliance");
    expect(table.stdout).toMatch(/check-cert-expiry-posix\s+1\.0\.0\s+100%/);
  });

  it("a failing check notifies its webhook, retried with backoff until it takes the POST, and audited", { timeout: 60_000 }, async () => {
    const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
    writeFileSync(
      files.join("hook.yaml"),
      `id: check-always-fails\nversion: 1.0.0\nexecute:\n  shell: sh\n  timeout: 30s\n  script: |\n    echo '{"pass": false, "detail": "policy X violated"}'\ncheck:\n  pass_if: stdout_json\n  webhook: ${url}\n`,
    );
    expect((await kanade("job", "create", files.join("hook.yaml"))).code).toBe(0);
    await run("check-always-fails");
    const audit = await waitFor(
      async () => {
        const items = (await backend.api<ListResponse<AuditRecord>>("GET", "/api/audit?action=compliance.notify&limit=10")).body.items;
        return items.length > 0 ? items : undefined;
      },
      { timeoutMs: 30_000, what: "the compliance.notify audit record" },
    );
    expect(posts).toHaveLength(3);
    expect(posts[2]).toMatchObject({ check: "check-always-fails", pc_id: PC, verdict: "fail", detail: "policy X violated", version: "1.0.0" });
    expect(audit[0]).toMatchObject({ actor: "system", target: "check-always-fails", payload_summary: { delivered: true, attempts: 3, pc_id: PC } });
  });

  it("refuses a check block with a bad pass_if or webhook, naming the field", async () => {
    writeFileSync(files.join("bad.yaml"), `id: bad-check\nversion: 1.0.0\nexecute: {shell: sh, script: "true"}\ncheck: {pass_if: exit_zero, webhook: "ftp://x"}\n`);
    const r = await kanade("job", "validate", files.join("bad.yaml"));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("check.pass_if: expected one of exit_0, stdout_json");
    expect(r.stderr).toContain("check.webhook: expected an http(s) URL");
  });
});
