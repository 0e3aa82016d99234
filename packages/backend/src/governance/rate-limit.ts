/**
 * In-memory throttles for one backend process. Every decision is synchronous: a caller checks and
 * counts in the same tick, before it awaits a password hash or a signature, so parallel requests
 * cannot all pass a check that would only be updated once the slow part is done.
 */
import { KanadeError } from "@kanade/protocol";

/** `first` is true for the first refusal since the key last got through (so it is audited once, not per request). */
export type Verdict = { ok: true } | { ok: false; retryAfterMs: number; first: boolean };

const OK: Verdict = { ok: true };

/** Refuses, noting whether this is the first refusal since the key last got through. */
function refusal(state: { refused: boolean }, retryAfterMs: number): Verdict {
  const first = !state.refused;
  state.refused = true;
  return { ok: false, retryAfterMs, first };
}

/** Drops the oldest keys once a map holds more than `max` (a spray of addresses or usernames cannot grow it forever). */
function capSize(map: Map<string, unknown>, max: number): void {
  if (map.size <= max) return;
  for (const k of map.keys()) {
    map.delete(k);
    if (map.size <= max) return;
  }
}

export interface BackoffOptions {
  /** Failures allowed back to back before any wait. */
  free: number;
  /** The first wait; each further failure doubles it. */
  baseMs: number;
  maxMs: number;
  /** A key idle this long starts from zero. */
  forgetAfterMs: number;
  maxKeys?: number;
}

/** Per-key exponential backoff: `free` failures pass, then each attempt waits base·2ⁿ (capped) after the last failure. */
export interface Backoff {
  check(key: string, now: number): Verdict;
  /** Counts an attempt that passed `check` as a failure until `succeeded` says otherwise. */
  begin(key: string, now: number): void;
  /** The attempt ended in a failure: its wait runs from now, when the caller learns the answer. */
  failed(key: string, now: number): void;
  succeeded(key: string): void;
}

interface BackoffState {
  failures: number;
  notBefore: number;
  lastAt: number;
  refused: boolean;
}

export function createBackoff(opts: BackoffOptions): Backoff {
  const keys = new Map<string, BackoffState>();
  const waitFor = (failures: number): number =>
    failures < opts.free ? 0 : Math.min(opts.maxMs, opts.baseMs * 2 ** Math.min(failures - opts.free, 30));
  const current = (key: string, now: number): BackoffState | undefined => {
    const s = keys.get(key);
    if (s && now - Math.max(s.lastAt, s.notBefore) > opts.forgetAfterMs) {
      keys.delete(key);
      return undefined;
    }
    return s;
  };
  return {
    check: (key, now) => {
      const s = current(key, now);
      return !s || now >= s.notBefore ? OK : refusal(s, s.notBefore - now);
    },
    begin: (key, now) => {
      const s = current(key, now) ?? { failures: 0, notBefore: 0, lastAt: now, refused: false };
      s.failures++;
      s.lastAt = now;
      s.refused = false;
      s.notBefore = Math.max(s.notBefore, now + waitFor(s.failures));
      keys.set(key, s);
      capSize(keys, opts.maxKeys ?? 100_000);
    },
    failed: (key, now) => {
      const s = keys.get(key);
      if (!s) return; // a success in between already cleared the key
      s.lastAt = now;
      s.notBefore = Math.max(s.notBefore, now + waitFor(s.failures));
    },
    succeeded: (key) => void keys.delete(key),
  };
}

export interface BudgetOptions {
  max: number;
  windowMs: number;
  maxKeys?: number;
}

/** A sliding-window budget per key: at most `max` units spent within `windowMs`. */
export interface WindowBudget {
  check(key: string, now: number): Verdict;
  spend(key: string, now: number): void;
  /** Gives back the unit spent at `at` (the attempt turned out fine). */
  refund(key: string, at: number): void;
}

interface BudgetState {
  stamps: number[];
  refused: boolean;
}

export function createWindowBudget(opts: BudgetOptions): WindowBudget {
  const keys = new Map<string, BudgetState>();
  const current = (key: string, now: number): BudgetState | undefined => {
    const s = keys.get(key);
    if (!s) return undefined;
    s.stamps = s.stamps.filter((t) => now - t < opts.windowMs);
    if (s.stamps.length === 0) {
      keys.delete(key);
      return undefined;
    }
    return s;
  };
  return {
    check: (key, now) => {
      const s = current(key, now);
      return !s || s.stamps.length < opts.max ? OK : refusal(s, opts.windowMs - (now - s.stamps[0]!));
    },
    spend: (key, now) => {
      const s = current(key, now) ?? { stamps: [], refused: false };
      s.stamps.push(now);
      s.refused = false;
      keys.set(key, s);
      capSize(keys, opts.maxKeys ?? 100_000);
    },
    refund: (key, at) => {
      const s = keys.get(key);
      const i = s ? s.stamps.indexOf(at) : -1;
      if (i >= 0) s!.stamps.splice(i, 1);
    },
  };
}

/** A reserved login attempt: say how it ended. */
export interface LoginTicket {
  succeeded(): void;
  failed(now: number): void;
  /**
   * A right password of an account that also needs a code: the address gets its unit back (a busy office
   * behind one proxy is not throttled by two-factor sign-ins), but the (username, address) attempt stays
   * counted until a code succeeds, so knowing the password does not reset the backoff between code guesses.
   */
  firstFactorPassed(): void;
}

/** Password checks: backoff per (username, address) plus a budget per address across usernames. */
export interface LoginThrottle {
  /** Reserves an attempt before the password is checked, or refuses it. Case does not matter in the username. */
  reserve(username: string, ip: string, now: number): { ok: true; ticket: LoginTicket } | Extract<Verdict, { ok: false }>;
}

export const LOGIN_BACKOFF: BackoffOptions = { free: 5, baseMs: 1_000, maxMs: 5 * 60_000, forgetAfterMs: 30 * 60_000 };
export const LOGIN_IP_BUDGET: BudgetOptions = { max: 30, windowMs: 10 * 60_000 };
/** Wrong bearer tokens per address; past it every token from that address waits (SPA bursts are all right). */
export const BEARER_IP_BUDGET: BudgetOptions = { max: 60, windowMs: 60_000 };

export function createLoginThrottle(opts: { backoff?: BackoffOptions; perIp?: BudgetOptions } = {}): LoginThrottle {
  const backoff = createBackoff(opts.backoff ?? LOGIN_BACKOFF);
  const perIp = createWindowBudget(opts.perIp ?? LOGIN_IP_BUDGET);
  return {
    reserve: (username, ip, now) => {
      // JSON keeps the two parts apart whatever characters a username or address holds.
      const key = JSON.stringify([username.toLowerCase(), ip]);
      const byUser = backoff.check(key, now);
      if (!byUser.ok) return byUser;
      const byIp = perIp.check(ip, now);
      if (!byIp.ok) return byIp;
      backoff.begin(key, now);
      perIp.spend(ip, now);
      return {
        ok: true,
        ticket: {
          succeeded: () => {
            backoff.succeeded(key);
            perIp.refund(ip, now);
          },
          failed: (at) => backoff.failed(key, at),
          firstFactorPassed: () => perIp.refund(ip, now),
        },
      };
    },
  };
}

/** A 429 that says when to come back; the auth layer turns `retryAfterMs` into a `retry-after` header. */
export class RateLimitedError extends KanadeError {
  constructor(
    readonly retryAfterMs: number,
    what: string,
  ) {
    super("RATE_LIMITED", `${what}; try again in ${retryAfterSecs(retryAfterMs)}s`);
  }
}

/** Whole seconds, at least 1, as `retry-after` wants them. */
export const retryAfterSecs = (ms: number): number => Math.max(1, Math.ceil(ms / 1000));
