/**
 * A real three-node (or N-node) nats-server JetStream cluster on loopback: free ports for clients, routes and
 * monitoring, a store dir and `server_name` per node, one cluster `name`, every node routing to the others.
 * Designed for nats-server 2.9 (Debian's 2.9.10): the monitoring endpoint `/jsz` tells the meta leader and
 * what each node holds of every stream, so tests can see leaders move and a returning node catch up.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./net.js";
import { startNatsServer, type NatsServer } from "./nats-server.js";
import { waitFor } from "./wait.js";

export interface NatsClusterNode {
  /** `n1`, `n2`, … (the node's `server_name`). */
  readonly name: string;
  readonly server: NatsServer;
  /** `nats://127.0.0.1:<client port>` */
  readonly url: string;
  /** `http://127.0.0.1:<monitor port>` */
  readonly monitorUrl: string;
  /** True between `start()` and `stop()`/`kill()` of the node. */
  running(): boolean;
}

/** What one node holds of one stream, from its `/jsz`. */
export interface NodeStreamState {
  name: string;
  messages: number;
  first_seq: number;
  last_seq: number;
  /** The stream's Raft leader as this node sees it (`server_name`), or undefined while there is none. */
  leader: string | undefined;
  replicas: number;
}

export interface NatsCluster {
  readonly nodes: readonly NatsClusterNode[];
  /** Every node's client URL. */
  readonly urls: readonly string[];
  /** The client URLs joined by commas, as `KANADE_NATS_URL` takes them. */
  readonly url: string;
  readonly name: string;
  node(name: string): NatsClusterNode;
  /** The JetStream meta leader (`server_name`) as the running nodes see it; throws when none. */
  metaLeader(): Promise<string>;
  /** Resolves once every running node agrees on one meta leader (JetStream can take requests then). */
  waitForMetaLeader(timeoutMs?: number): Promise<string>;
  /**
   * Resolves once every stream, as the running nodes report them, has a leader among the running nodes (after a
   * node stopped, the streams it led elect new leaders; until then they take no requests).
   */
  waitForStreamLeaders(timeoutMs?: number): Promise<void>;
  /** Streams as `node` holds them (its `/jsz?accounts=true&streams=true`). */
  streams(node: string): Promise<NodeStreamState[]>;
  /** Client connections on `node` (its `/connz`), optionally only those whose client name matches `name`. */
  connections(node: string, name?: RegExp): Promise<number>;
  /** Stops every node and removes their stores. */
  dispose(): Promise<void>;
}

export interface NatsClusterOptions {
  /** Number of nodes (default 3). */
  size?: number;
  /** The cluster's `name` (default `kanade-test`). */
  name?: string;
}

interface JszReply {
  meta_cluster?: { leader?: string; cluster_size?: number };
  account_details?: { stream_detail?: { name: string; state: { messages: number; first_seq: number; last_seq: number }; cluster?: { leader?: string }; config?: { num_replicas?: number } }[] }[];
}

const jsz = async (monitorUrl: string, query = ""): Promise<JszReply> => {
  const res = await fetch(`${monitorUrl}/jsz${query}`, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`${monitorUrl}/jsz answered ${res.status}`);
  return (await res.json()) as JszReply;
};

/** The config file of one node: everything but the client address and port, which the command line sets. */
function nodeConfig(o: { name: string; cluster: string; storeDir: string; routePort: number; monitorPort: number; peers: number[] }): string {
  return [
    `server_name: ${o.name}`,
    `http: "127.0.0.1:${o.monitorPort}"`,
    `jetstream { store_dir: ${JSON.stringify(o.storeDir)} }`,
    `cluster {`,
    `  name: ${o.cluster}`,
    `  listen: "127.0.0.1:${o.routePort}"`,
    `  routes: [${o.peers.map((p) => `"nats-route://127.0.0.1:${p}"`).join(", ")}]`,
    `}`,
    "",
  ].join("\n");
}

export async function startNatsCluster(opts: NatsClusterOptions = {}): Promise<NatsCluster> {
  const size = opts.size ?? 3;
  const clusterName = opts.name ?? "kanade-test";
  const root = mkdtempSync(join(tmpdir(), "kanade-nats-cluster-"));
  const plan: { name: string; port: number; routePort: number; monitorPort: number; storeDir: string; conf: string }[] = [];
  // Ports are taken one after another so no two nodes are handed the same free port.
  const taken = new Set<number>();
  const port = async (): Promise<number> => {
    for (;;) {
      const p = await freePort();
      if (!taken.has(p)) {
        taken.add(p);
        return p;
      }
    }
  };
  for (let i = 1; i <= size; i++) {
    plan.push({ name: `n${i}`, port: await port(), routePort: await port(), monitorPort: await port(), storeDir: join(root, `n${i}`, "store"), conf: join(root, `n${i}.conf`) });
  }
  for (const p of plan) {
    const peers = plan.filter((q) => q !== p).map((q) => q.routePort);
    writeFileSync(p.conf, nodeConfig({ name: p.name, cluster: clusterName, storeDir: p.storeDir, routePort: p.routePort, monitorPort: p.monitorPort, peers }));
  }
  const nodes: NatsClusterNode[] = [];
  try {
    // All at once: a node's JetStream waits for its peers before the meta group can elect a leader.
    const servers = await Promise.all(plan.map((p) => startNatsServer({ port: p.port, storeDir: p.storeDir, configFile: p.conf })));
    plan.forEach((p, i) => {
      const server = servers[i]!;
      let up = true;
      nodes.push({
        name: p.name,
        url: server.url,
        monitorUrl: `http://127.0.0.1:${p.monitorPort}`,
        running: () => up,
        server: {
          ...server,
          stop: async () => {
            up = false;
            await server.stop();
          },
          kill: async () => {
            up = false;
            await server.kill();
          },
          start: async () => {
            await server.start();
            up = true;
          },
        },
      });
    });
  } catch (err) {
    rmSync(root, { recursive: true, force: true });
    throw err;
  }

  const node = (name: string): NatsClusterNode => {
    const n = nodes.find((x) => x.name === name);
    if (!n) throw new Error(`no node ${name} in the cluster (${nodes.map((x) => x.name).join(", ")})`);
    return n;
  };
  const metaLeader = async (): Promise<string> => {
    const leaders = new Set<string | undefined>();
    for (const n of nodes.filter((x) => x.running())) leaders.add((await jsz(n.monitorUrl)).meta_cluster?.leader || undefined);
    const [only] = [...leaders];
    if (leaders.size !== 1 || only === undefined) throw new Error(`the nodes do not agree on a meta leader: ${[...leaders].join(", ")}`);
    return only;
  };
  const cluster: NatsCluster = {
    nodes,
    urls: nodes.map((n) => n.url),
    url: nodes.map((n) => n.url).join(","),
    name: clusterName,
    node,
    metaLeader,
    waitForMetaLeader: async (timeoutMs = 30_000) => {
      let leader = "";
      await waitFor(
        async () => {
          leader = await metaLeader().catch(() => "");
          return leader !== "";
        },
        { timeoutMs, intervalMs: 100, what: "a JetStream meta leader" },
      );
      return leader;
    },
    waitForStreamLeaders: async (timeoutMs = 60_000) => {
      const up = new Set(nodes.filter((n) => n.running()).map((n) => n.name));
      let missing = "";
      await waitFor(
        async () => {
          const seen = (await Promise.all([...up].map((n) => cluster.streams(n)))).flat();
          const bad = seen.filter((s) => s.leader === undefined || !up.has(s.leader));
          missing = [...new Set(bad.map((s) => s.name))].join(", ");
          return bad.length === 0;
        },
        { timeoutMs, intervalMs: 200, what: "every stream to have a leader on a running node" },
      ).catch((err: unknown) => {
        throw new Error(`${err instanceof Error ? err.message : String(err)}; without one: ${missing}`);
      });
    },
    streams: async (name) => {
      const r = await jsz(node(name).monitorUrl, "?accounts=true&streams=true&config=true");
      return (r.account_details ?? []).flatMap((a) =>
        (a.stream_detail ?? []).map((s) => ({
          name: s.name,
          messages: s.state.messages,
          first_seq: s.state.first_seq,
          last_seq: s.state.last_seq,
          leader: s.cluster?.leader || undefined,
          replicas: s.config?.num_replicas ?? 1,
        })),
      );
    },
    connections: async (nodeName, name) => {
      const res = await fetch(`${node(nodeName).monitorUrl}/connz?limit=100000`, { signal: AbortSignal.timeout(5_000) });
      const body = (await res.json()) as { connections?: { name?: string }[] };
      return (body.connections ?? []).filter((c) => name === undefined || name.test(c.name ?? "")).length;
    },
    dispose: async () => {
      await Promise.all(nodes.map((n) => n.server.dispose()));
      rmSync(root, { recursive: true, force: true });
    },
  };
  await cluster.waitForMetaLeader();
  return cluster;
}
