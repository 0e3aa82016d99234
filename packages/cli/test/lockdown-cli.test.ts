/**
 * The lock-down from an operator's seat, with the real binaries: `kanade-backend nats init` writes a config
 * `nats-server -c` starts locked down; an agent with no credential stops with one line naming the setting;
 * `kanade agent pending | accept | reject | revoke` and `kanade enroll-token create` decide who joins.
 */
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { enrollReplySchema, subjects, type EnrollmentView, type EnrollReply, type EnrollTokenCreated } from "@kanade/protocol";
import { createNkey, parseCreds } from "@kanade/protocol/nkeys";
import { authenticatorFor, runBin, runCli, startNatsServer, startTestBackend, tempDir, type NatsServer, type TestBackend } from "@kanade/testkit";

const dir = tempDir("kanade-lockdown-cli-");
const authDir = dir.join("nats");
let broker: NatsServer;
let backend: TestBackend;
let enrollNc: NatsConnection;

const kanade = (...args: string[]) => runCli(args, { backendUrl: backend.url, token: backend.token });

/** What an agent does to ask to join: a request over the enrollment credential. */
async function askToJoin(pc: string, publicKey: string, token?: string): Promise<EnrollReply> {
  const body = { pc_id: pc, hostname: `${pc}.example`, public_key: publicKey, ...(token ? { enroll_token: token } : {}) };
  return enrollReplySchema.parse((await enrollNc.request(subjects.enroll(), JSON.stringify(body), { timeout: 5_000 })).json());
}

beforeAll(async () => {
  const init = await runBin("backend", "kanade-backend", ["nats", "init", "--dir", authDir]);
  expect(init.code, init.stderr).toBe(0);
  expect(init.stdout).toContain(`nats-server -c ${join(authDir, "nats-server.conf")}`);
  broker = await startNatsServer({ configFile: join(authDir, "nats-server.conf"), storeDir: join(authDir, "jetstream") });
  backend = await startTestBackend(broker.url, { natsAuthDir: authDir });
  const enroll = parseCreds(readFileSync(join(authDir, "enroll.creds"), "utf8"));
  enrollNc = await connect({ servers: broker.url, authenticator: authenticatorFor(enroll.jwt, enroll.seed), inboxPrefix: subjects.enrollInboxPrefix() });
});

afterAll(async () => {
  await enrollNc?.close();
  await backend?.close();
  await broker?.dispose();
  dir.remove();
});

describe("locking the fleet down from the command line", () => {
  it("nats init keeps every secret owner-only and refuses to overwrite its keys", async () => {
    for (const f of ["keys.json", "backend.creds", "system.creds", "admin.creds", "enroll.creds"]) {
      expect(statSync(join(authDir, f)).mode & 0o777, f).toBe(0o600);
    }
    const again = await runBin("backend", "kanade-backend", ["nats", "init", "--dir", authDir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already holds broker keys/);
    const bad = await runBin("backend", "kanade-backend", ["nats", "init"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--dir is required/);
  });

  it("an agent with no credential stops with one line naming the settings to fix", async () => {
    const data = dir.join("agent-data");
    writeFileSync(dir.join("agent.toml"), "# nothing: env only\n");
    const r = await runBin("agent", "kanade-agent", [], {
      env: { KANADE_NATS_URL: broker.url, KANADE_AGENT_ID: "no-creds-pc", KANADE_AGENT_DATA_DIR: data, KANADE_AGENT_CONFIG: dir.join("agent.toml"), KANADE_LOG: "silent" },
      timeoutMs: 30_000,
    });
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^kanade-agent: the broker at .* refused this agent \(no credential\): set KANADE_ENROLL_CREDS \(enroll_creds\)/);
  }, 40_000);

  it("lists, accepts, rejects and revokes join requests, and makes enrollment tokens", async () => {
    const k1 = createNkey("user");
    const k2 = createNkey("user");
    expect((await askToJoin("cli-pc-1", k1.publicKey)).status).toBe("pending");
    expect((await askToJoin("cli-pc-2", k2.publicKey)).status).toBe("pending");

    const pending = await kanade("agent", "pending");
    expect(pending.code, pending.stderr).toBe(0);
    expect(pending.stdout).toMatch(/cli-pc-1\s+pending\s+cli-pc-1\.example/);
    const json = JSON.parse((await kanade("agent", "pending", "--json")).stdout) as EnrollmentView[];
    expect(json.map((e) => e.pc_id).sort()).toEqual(["cli-pc-1", "cli-pc-2"]);

    const accepted = await kanade("agent", "accept", "cli-pc-1");
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(accepted.stdout).toBe("cli-pc-1: accepted\n");
    const reply = await askToJoin("cli-pc-1", k1.publicKey);
    expect(reply.status).toBe("accepted");
    expect(reply.command_keys?.length).toBeGreaterThan(0);
    // The minted credential gets in; its JWT names the PC.
    const nc = await connect({ servers: broker.url, authenticator: authenticatorFor(reply.jwt!, k1.seed), reconnect: false });
    await nc.close();

    expect((await kanade("agent", "reject", "cli-pc-2")).stdout).toBe("cli-pc-2: rejected\n");
    expect((await askToJoin("cli-pc-2", k2.publicKey)).status).toBe("rejected");
    const unknown = await kanade("agent", "accept", "never-asked");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/never-asked/);

    const revoked = await kanade("agent", "revoke", "cli-pc-1");
    expect(revoked.code, revoked.stderr).toBe(0);
    await expect(connect({ servers: broker.url, authenticator: authenticatorFor(reply.jwt!, k1.seed), reconnect: false })).rejects.toThrow(/Authorization Violation/i);

    const tok = await kanade("enroll-token", "create", "--group", "lab", "--uses", "2", "--expires", "1h", "--json");
    expect(tok.code, tok.stderr).toBe(0);
    const created = JSON.parse(tok.stdout) as EnrollTokenCreated;
    expect(created).toMatchObject({ group: "lab", uses_left: 2 });
    expect((await askToJoin("cli-pc-3", createNkey("user").publicKey, created.token)).status).toBe("accepted");
    const list = await kanade("enroll-token", "list");
    expect(list.stdout).toMatch(new RegExp(`${created.token_id}\\s+lab\\s+1\\s`));
    expect(list.stdout).not.toContain(created.token);
    const bad = await kanade("enroll-token", "create", "--uses", "0");
    expect(bad.code).toBe(2);
  });
});
