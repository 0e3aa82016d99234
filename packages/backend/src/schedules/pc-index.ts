/**
 * The due-time index of one `per_pc` schedule: each targeted PC's newest fire and answer, and the instant it is
 * next due, in a min-heap. Built once from the database (schedule_pc_state and the results it points at), then
 * kept in step by what the engine does and sees: a claim makes the PC wait for its answer, an answer read from
 * the new results moves its next due time, a PC joining the target is due at once. A tick then looks only at
 * the PCs whose time has come instead of reading every PC's state. A rule edit is a new Schedule object and gets
 * a new index; so does a restart (the index is rebuilt from the database).
 */
import { everyMs, type Schedule } from "@kanade/protocol";
import { DueHeap } from "./due-heap.js";
import type { PcAnswer, PcFireState } from "./fires-store.js";

const NEVER = Number.POSITIVE_INFINITY;
const NOW = Number.NEGATIVE_INFINITY;

/** A result published instead of running because the deadline had passed: the PC never ran it. */
export const neverRan = (s: PcFireState): boolean => s.status === "skipped" && s.exit_code === 125;
/** Fired, and no answer yet. */
export const awaiting = (s: PcFireState): boolean => s.exec_id !== null && s.status === null;
/** Counts against max_concurrent: no answer yet, and its deadline (if any) not passed. */
export const inFlight = (s: PcFireState, nowMs: number): boolean => awaiting(s) && (s.deadline_at === null || Date.parse(s.deadline_at) > nowMs);

/** `once#2` → `once`: retries of an occurrence that never ran carry an attempt number. */
export const baseKey = (key: string): string => key.replace(/#\d+$/, "");

/**
 * From when a PC is due under a per_pc rule (−∞: now; +∞: not until something changes). The exact twin of
 * engine.ts duePerPc: `duePerPc(s, state, t, v)` gives an occurrence exactly when t ≥ nextDueAt(s, state, v).
 */
export function nextDueAt(s: Schedule, state: PcFireState | undefined, jobVersion: string, resendAfterMs: number, every: number | undefined = everyMs(s)): number {
  if (!state) return NOW;
  const resendAt = awaiting(state) ? Date.parse(state.fired_at) + resendAfterMs : NEVER;
  const mode = s.when.per_pc;
  if (mode === "once" || mode === "once_per_version") {
    if (baseKey(state.occurrence) !== (mode === "once" ? "once" : `v${jobVersion}`)) return NOW;
    if (awaiting(state)) return resendAt;
    return neverRan(state) ? NOW : NEVER;
  }
  if (awaiting(state)) return resendAt;
  if (neverRan(state)) return NOW;
  return Date.parse(state.finished_at ?? state.fired_at) + every!;
}

export class PcIndex {
  readonly heap = new DueHeap<string>();
  /** Newest fire and answer per PC (PCs that left the target too, in case they come back). */
  readonly states = new Map<string, PcFireState>();
  /** The target, in the order the resolver gave it (fires name their PCs in this order). */
  private order = new Map<string, number>();
  readonly every: number | undefined;
  /** When the engine resolves the target and job version again, and when it reads the whole index again. */
  refreshAt = 0;
  resyncAt = 0;

  constructor(
    readonly schedule: Schedule,
    readonly since: number,
    public version: string,
    private readonly resendAfterMs: number,
    states: readonly PcFireState[],
    pcs: readonly string[],
  ) {
    this.every = everyMs(schedule);
    for (const st of states) this.states.set(st.pc_id, st);
    this.setTarget(pcs);
  }

  private dueAt(pc: string): number {
    return nextDueAt(this.schedule, this.states.get(pc), this.version, this.resendAfterMs, this.every);
  }

  /** The PCs targeted now: newcomers are due as their state says (a PC never fired: at once), leavers are dropped. */
  setTarget(pcs: readonly string[]): void {
    const order = new Map<string, number>();
    pcs.forEach((pc, i) => order.set(pc, i));
    for (const pc of this.order.keys()) if (!order.has(pc)) this.heap.delete(pc);
    for (const pc of pcs) if (!this.heap.has(pc)) this.heap.set(pc, this.dueAt(pc));
    this.order = order;
  }

  /** A new job version: a once_per_version rule is due again on every PC. */
  setVersion(version: string): void {
    if (version === this.version) return;
    this.version = version;
    for (const pc of this.order.keys()) this.heap.set(pc, this.dueAt(pc));
  }

  targets(): IterableIterator<string> {
    return this.order.keys();
  }

  /** The earliest instant a PC is due (+∞: none until an answer arrives or the target changes). */
  nextDue(): number {
    return this.heap.peek();
  }

  /** Takes the PCs due at `nowMs`, in target order; give back the ones not fired with `putBack`. */
  takeDue(nowMs: number): string[] {
    const pcs = this.heap.popDue(nowMs).filter((pc) => this.order.has(pc));
    return pcs.sort((a, b) => this.order.get(a)! - this.order.get(b)!);
  }

  /** A PC taken but not fired: due again at its own time, or at `retryAt` if that has come already. */
  putBack(pc: string, nowMs: number, retryAt: number): void {
    const at = this.dueAt(pc);
    this.heap.set(pc, at > nowMs ? at : retryAt);
  }

  /** Fired (claimed): the PC waits for its answer. */
  fired(state: PcFireState): void {
    this.states.set(state.pc_id, state);
    if (this.order.has(state.pc_id)) this.heap.set(state.pc_id, this.dueAt(state.pc_id));
  }

  /**
   * An answer read from the results: the PC's state is what the database says its newest fire is (possibly one
   * another backend made), with the newest answer to it.
   */
  answered(a: PcAnswer): void {
    const known = this.states.get(a.pc_id);
    if (known && known.exec_id === a.exec_id && known.status !== null && (known.finished_at ?? "") >= (a.finished_at ?? "")) return;
    if (known && known.exec_id !== a.exec_id && known.fired_at > a.fired_at) return; // we fired it again since
    this.states.set(a.pc_id, {
      pc_id: a.pc_id,
      occurrence: a.occurrence,
      exec_id: a.exec_id,
      fired_at: a.fired_at,
      deadline_at: a.deadline_at,
      status: a.status,
      exit_code: a.exit_code,
      finished_at: a.finished_at,
      version: a.version,
      started: true,
    });
    if (this.order.has(a.pc_id)) this.heap.set(a.pc_id, this.dueAt(a.pc_id));
  }

  /** How many targeted PCs count against max_concurrent at `nowMs`. */
  inFlightCount(nowMs: number): number {
    let n = 0;
    for (const pc of this.order.keys()) {
      const st = this.states.get(pc);
      if (st !== undefined && inFlight(st, nowMs)) n++;
    }
    return n;
  }
}
