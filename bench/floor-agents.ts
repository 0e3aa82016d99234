/**
 * The agents' side of the floor (bench/floor.ts), run as its own process like the simulator: N NATS
 * connections, each subscribed to one request subject; on a request each publishes one result to
 * JetStream (msgID = its result id) and waits for the PubAck, as an agent's outbox does. Nothing else:
 * no parsing beyond the request, no signature, no gates; a publish that times out is retried
 * under the same msgID, as the outbox does. Prints `ready` once every subscription is live.
 *
 *   FLOOR_NATS_URL=nats://127.0.0.1:4223 FLOOR_COUNT=1000 node --import tsx bench/floor-agents.ts
 *
 * FLOOR_NATS_URL may list several servers (comma-separated, a cluster's nodes); FLOOR_FIRST numbers this
 * process's PCs from there (several processes share one fleet: bench/scale.ts).
 */
import { randomUUID } from "node:crypto";
import { connect } from "@nats-io/transport-node";
import { jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/nats-core";

export const FLOOR_REQUEST_SUBJECT = "floor.request";
export const floorResultSubject = (execId: string, pcId: string): string => `floor.results.${execId}.${pcId}`;

const url = process.env.FLOOR_NATS_URL ?? "";
const count = Number(process.env.FLOOR_COUNT ?? 0);
const first = Number(process.env.FLOOR_FIRST ?? 1);

let retries = 0;

async function startOne(i: number): Promise<NatsConnection> {
  const pcId = `floor-${String(i).padStart(4, "0")}`;
  const nc = await connect({ servers: url.split(","), name: pcId, maxReconnectAttempts: -1 });
  const js = jetstream(nc);
  // As an agent's outbox does: a publish not acknowledged is sent again under the same msgID (deduplicated).
  const publish = (subject: string, body: string, msgID: string, waitMs = 500): void => {
    js.publish(subject, body, { msgID }).catch(() => {
      if (++retries % 1_000 === 1) process.stderr.write(`floor: ${retries} publishes retried so far\n`);
      setTimeout(() => publish(subject, body, msgID, Math.min(waitMs * 2, 30_000)), waitMs);
    });
  };
  nc.subscribe(FLOOR_REQUEST_SUBJECT, {
    callback: (err, msg) => {
      if (err) return;
      const { exec_id } = msg.json<{ exec_id: string }>();
      const now = new Date().toISOString();
      // About the size and shape of a real ExecResult for `echo hi`.
      const result = {
        result_id: randomUUID(), exec_id, request_id: randomUUID(), job_id: "bench-echo", version: "1.0.0", pc_id: pcId,
        status: "succeeded", exit_code: 0, stdout: "hi\n", stderr: "", started_at: now, finished_at: now,
      };
      publish(floorResultSubject(exec_id, pcId), JSON.stringify(result), result.result_id);
    },
  });
  // A running agent has long had its reply inbox (its first request made it); without this the first run would
  // also measure N new inbox subscriptions spreading through the cluster at once, and PubAcks timing out behind
  // them. A request nobody answers makes it, and fails at once (no responders).
  await nc.request("floor.warm-up", "", { timeout: 5_000 }).catch(() => undefined);
  await nc.flush();
  return nc;
}

if (process.argv[1]?.endsWith("floor-agents.ts")) {
  const conns: NatsConnection[] = [];
  for (let i = 0; i < count; i += 200) {
    conns.push(...(await Promise.all(Array.from({ length: Math.min(200, count - i) }, (_, k) => startOne(first + i + k)))));
  }
  process.stdout.write("ready\n");
  process.on("SIGTERM", () => void Promise.all(conns.map((c) => c.close())).then(() => process.exit(0)));
}
