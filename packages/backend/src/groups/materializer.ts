/**
 * Keeps dynamic-group membership in KV `agent_groups` (which the agents watch) in line with what the backend
 * knows. Changes mark PCs dirty; a debounced flush evaluates only those PCs (or all, after a definition
 * changed), and writes only the entries whose dynamic groups differ. Static groups are never touched.
 */
import { evaluateGroupQuery, parseGroupQuery, queryFields, type GroupDefinition, type Heartbeat, type PcFacts, type QueryNode } from "@kanade/protocol";
import type { Logger } from "pino";
import type { AgentGroups } from "../agent-groups.js";
import type { FactNeeds, FactsLoader } from "./facts.js";
import { mapPool } from "./pool.js";

/** What changed about some PCs, so a change no query looks at costs nothing. */
export type FactKind = "tags" | "inventory" | "jobFacts" | "heartbeat";

export interface MaterializeStats {
  evaluated: number;
  written: number;
  ms: number;
}

export interface Materializer {
  /** Re-reads the definitions and re-evaluates every PC (after define/undefine, and at start). */
  reload(): void;
  touched(pcIds: readonly string[], kind: FactKind): void;
  /** Heartbeats: only PCs whose name, OS or agent version changed (or are new) are re-evaluated. */
  heartbeats(hbs: readonly Heartbeat[]): void;
  /** PCs a query matches now (the preview). */
  matches(query: string): string[];
  /** Waits until nothing is pending (tests, and callers that want read-your-writes). */
  idle(): Promise<void>;
  stats(): MaterializeStats & { flushes: number };
  stop(): Promise<void>;
}

interface Compiled {
  name: string;
  node: QueryNode;
}

/** KV writes in flight at once. */
const WRITE_CONCURRENCY = 256;

export function createMaterializer(deps: {
  definitions: () => GroupDefinition[];
  loadFacts: FactsLoader;
  groups: AgentGroups;
  log: Logger;
  clock: () => Date;
  /** Changes within this window are evaluated together (default 200 ms). */
  debounceMs?: number;
  /** Time-based queries (`last_seen`) are re-evaluated for every PC this often (default 60 s). */
  sweepMs?: number;
}): Materializer {
  const log = deps.log.child({ module: "dynamic-groups" });
  const debounceMs = deps.debounceMs ?? 200;
  let compiled: Compiled[] = [];
  let needs: FactNeeds & { kinds: Set<FactKind>; time: boolean } = { inventory: false, apps: false, jobFacts: false, kinds: new Set(), time: false };
  let dirty = new Set<string>();
  let all = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const heartbeatSig = new Map<string, string>();
  const totals = { evaluated: 0, written: 0, ms: 0, flushes: 0 };

  const compile = (): void => {
    compiled = [];
    const fields = new Set<string>();
    for (const d of deps.definitions()) {
      try {
        const node = parseGroupQuery(d.query);
        compiled.push({ name: d.name, node });
        for (const f of queryFields(node)) fields.add(f);
      } catch (err) {
        // Saved queries parsed when defined; one that no longer does (a newer grammar) matches nothing.
        log.error({ group: d.name, err }, "stored group query does not parse; it matches no PC");
      }
    }
    const has = (p: string): boolean => [...fields].some((f) => f.startsWith(p));
    const kinds = new Set<FactKind>();
    if (has("tag.")) kinds.add("tags");
    if (has("os.") || has("hw.") || has("net.") || has("app.")) kinds.add("inventory");
    if (has("fact.")) kinds.add("jobFacts");
    if (has("os.family") || has("os.version") || fields.has("hostname") || fields.has("agent.version")) kinds.add("heartbeat");
    needs = { inventory: has("os.") || has("hw.") || has("net."), apps: has("app."), jobFacts: has("fact."), kinds, time: fields.has("last_seen") };
  };

  const schedule = (): void => {
    if (stopped || timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      running = running.then(flush).catch((err: unknown) => log.error({ err }, "dynamic group evaluation failed; retrying"));
    }, debounceMs);
  };

  const desiredOf = (f: PcFacts, now: number): string[] => compiled.filter((c) => evaluateGroupQuery(c.node, f, now)).map((c) => c.name);

  const flush = async (): Promise<void> => {
    const wasAll = all;
    const pcs = [...dirty];
    all = false;
    dirty = new Set();
    if (!wasAll && pcs.length === 0) return;
    const started = performance.now();
    const now = deps.clock().getTime();
    try {
      const facts = deps.loadFacts(wasAll ? undefined : pcs, needs);
      const want = new Map<string, string[]>(facts.map((f) => [f.pc_id, desiredOf(f, now)]));
      // PCs the backend no longer knows (forgotten) leave every dynamic group.
      for (const pc of wasAll ? deps.groups.pcs() : pcs) if (!want.has(pc)) want.set(pc, []);
      const changes = [...want].filter(([pc, groups]) => (deps.groups.split(pc)?.dynamic ?? []).join("\n") !== groups.join("\n"));
      const written = (await mapPool(changes, WRITE_CONCURRENCY, ([pc, groups]) => deps.groups.setDynamic(pc, groups))).filter(Boolean).length;
      const ms = performance.now() - started;
      totals.evaluated += want.size;
      totals.written += written;
      totals.ms += ms;
      totals.flushes++;
      if (written > 0) log.info({ evaluated: want.size, written, ms: Math.round(ms) }, "dynamic groups materialised");
    } catch (err) {
      // Nothing is lost: the same PCs are evaluated again on the next flush.
      if (wasAll) all = true;
      for (const pc of pcs) dirty.add(pc);
      schedule();
      throw err;
    }
    if (all || dirty.size > 0) schedule();
  };

  const sweep = setInterval(() => {
    if (needs.time) {
      all = true;
      schedule();
    }
  }, deps.sweepMs ?? 60_000);
  sweep.unref();

  const materializer: Materializer = {
    reload: () => {
      compile();
      all = true;
      schedule();
    },
    touched: (pcIds, kind) => {
      if (!needs.kinds.has(kind) || pcIds.length === 0) return;
      for (const pc of pcIds) dirty.add(pc);
      schedule();
    },
    heartbeats: (hbs) => {
      const changed: string[] = [];
      for (const h of hbs) {
        const sig = [h.hostname, h.os_family, h.os_version, h.agent_version].join("\n");
        if (heartbeatSig.get(h.pc_id) === sig) continue;
        heartbeatSig.set(h.pc_id, sig);
        changed.push(h.pc_id);
      }
      // A PC heard for the first time may match queries on tags or inventory too, not only on heartbeat fields.
      if (compiled.length > 0 && changed.length > 0) {
        for (const pc of changed) dirty.add(pc);
        schedule();
      }
    },
    matches: (query) => {
      const node = parseGroupQuery(query);
      const fields = queryFields(node);
      const has = (p: string): boolean => fields.some((f) => f.startsWith(p));
      const now = deps.clock().getTime();
      return deps
        .loadFacts(undefined, { inventory: has("os.") || has("hw.") || has("net."), apps: has("app."), jobFacts: has("fact.") })
        .filter((f) => evaluateGroupQuery(node, f, now))
        .map((f) => f.pc_id)
        .sort();
    },
    idle: async () => {
      while (timer || dirty.size > 0 || all) {
        await new Promise((r) => setTimeout(r, debounceMs));
        await running;
      }
      await running;
    },
    stats: () => ({ ...totals }),
    stop: async () => {
      stopped = true;
      clearInterval(sweep);
      if (timer) clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
  return materializer;
}
