/**
 * `kanade events`: the timeline as the real CLI prints it from a real backend, events published on the
 * agents' subjects as agents do; filters, bad input naming the flag, --follow, and no terminal control from a PC.
 */
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jetstream } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { subjects, type AgentEvent, type TimelineEvent } from "@kanade/protocol";
import { REPO_ROOT, runCli, startNatsServer, startTestBackend, waitFor, type NatsServer, type TestBackend } from "@kanade/testkit";

let nats: NatsServer;
let backend: TestBackend;
let nc: NatsConnection;
const kanade = (...args: string[]) => runCli(args, { backendUrl: backend.url, token: backend.token });

let n = 0;
const publish = async (e: Omit<AgentEvent, "event_id">): Promise<AgentEvent> => {
  const event = { ...e, event_id: (++n).toString(16).padStart(32, "a") } as AgentEvent;
  await jetstream(nc).publish(subjects.pcEvent(event.pc_id, event.kind), JSON.stringify(event), { msgID: event.event_id });
  return event;
};
const stored = (count: number) =>
  waitFor(async () => {
    const r = await backend.api<{ items: TimelineEvent[] }>("GET", "/api/events?limit=500");
    return r.body.items.length >= count || undefined;
  }, { what: `${count} stored events` });

beforeAll(async () => {
  nats = await startNatsServer();
  backend = await startTestBackend(nats.url);
  nc = await connect({ servers: nats.url });
});

afterAll(async () => {
  await nc?.close();
  await backend?.close();
  await nats?.dispose();
});

describe("kanade events", () => {
  it("lists newest first, filters by PC, kind and time, and escapes what a PC wrote", async () => {
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString();
    await publish({ pc_id: "cli-ev-1", kind: "os_boot", at: new Date(Date.now() - 3 * 3_600_000).toISOString(), source: "agent" });
    await publish({ pc_id: "cli-ev-1", kind: "user_logon", at: hourAgo, user: "alice", source: "wtmp" });
    await publish({ pc_id: "cli-ev-2", kind: "script", at: new Date().toISOString(), name: "backup.done", message: "done \x1b[31mred", source: "script" });
    await stored(3);

    const all = JSON.parse((await kanade("events", "--json")).stdout) as TimelineEvent[];
    expect(all.map((e) => e.kind)).toEqual(["script", "user_logon", "os_boot"]);
    const table = await kanade("events", "--pc", "cli-ev-1");
    expect(table.code, table.stderr).toBe(0);
    expect(table.stdout.split("\n")[0]).toMatch(/^TIME\s+PC\s+KIND\s+SOURCE\s+DETAILS/);
    expect(table.stdout).toContain("user=alice");
    expect(table.stdout).not.toContain("cli-ev-2");
    const recent = JSON.parse((await kanade("events", "--since", "2h", "--json")).stdout) as TimelineEvent[];
    expect(recent.map((e) => e.kind)).toEqual(["script", "user_logon"]);
    const logons = JSON.parse((await kanade("events", "--kind", "user_logon", "--json")).stdout) as TimelineEvent[];
    expect(logons.map((e) => e.user)).toEqual(["alice"]);
    const script = await kanade("events", "--pc", "cli-ev-2");
    expect(script.stdout).toContain("done \\x1b[31mred");
    expect(script.stdout).not.toContain("\x1b");
  });

  it("names the bad flag", async () => {
    const kind = await kanade("events", "--kind", "reboot");
    expect(kind.code).toBe(2);
    expect(kind.stderr).toContain("--kind");
    const since = await kanade("events", "--since", "yesterday");
    expect(since.code).toBe(2);
    expect(since.stderr).toContain("--since");
  });

  it("--follow prints the page, then events as they arrive", async () => {
    const child = spawn(process.execPath, [`${REPO_ROOT}packages/cli/bin/kanade.js`, "events", "--follow", "--pc", "cli-ev-3", "--since", "1h"], {
      env: { ...process.env, KANADE_BACKEND_URL: backend.url, KANADE_AUTH_TOKEN: backend.token },
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString("utf8")));
    try {
      await publish({ pc_id: "cli-ev-3", kind: "agent_started", at: new Date().toISOString(), source: "agent", message: "agent 1.0.0" });
      await waitFor(() => out.includes("agent_started") || undefined, { what: "the first event", timeoutMs: 15_000 });
      await publish({ pc_id: "cli-ev-3", kind: "agent_stopped", at: new Date().toISOString(), source: "agent" });
      await waitFor(() => out.includes("agent_stopped") || undefined, { what: "the later event", timeoutMs: 15_000 });
      expect(out.split("\n").filter((l) => l.includes("agent_started"))).toHaveLength(1);
    } finally {
      child.kill();
    }
  });
});
