import { describe, expect, it } from "vitest";
import { createBackoff, createLoginThrottle, createWindowBudget } from "./rate-limit.js";

const BACKOFF = { free: 3, baseMs: 1_000, maxMs: 8_000, forgetAfterMs: 60_000 };

describe("backoff", () => {
  it("lets a few failures through, then doubles the wait after each one, up to the cap", () => {
    const b = createBackoff(BACKOFF);
    const fail = (t: number): void => {
      expect(b.check("k", t)).toEqual({ ok: true });
      b.begin("k", t);
      b.failed("k", t);
    };
    fail(0);
    fail(0);
    fail(0);
    expect(b.check("k", 999)).toEqual({ ok: false, retryAfterMs: 1, first: true });
    expect(b.check("k", 999)).toMatchObject({ ok: false, first: false });
    fail(1_000);
    expect(b.check("k", 2_999)).toMatchObject({ ok: false, retryAfterMs: 1 });
    fail(3_000);
    expect(b.check("k", 3_000)).toMatchObject({ ok: false, retryAfterMs: 4_000 });
    for (const t of [7_000, 15_000, 23_000]) fail(t);
    expect(b.check("k", 23_000)).toMatchObject({ ok: false, retryAfterMs: 8_000 });
    expect(b.check("other", 23_000)).toEqual({ ok: true });
  });

  it("counts attempts when they begin, so parallel attempts cannot all pass", () => {
    const b = createBackoff(BACKOFF);
    let passed = 0;
    for (let i = 0; i < 100; i++) {
      if (b.check("k", 0).ok) {
        b.begin("k", 0);
        passed++;
      }
    }
    expect(passed).toBe(3);
  });

  it("forgets a key after a success or a long idle spell", () => {
    const b = createBackoff(BACKOFF);
    for (let i = 0; i < 3; i++) b.begin("k", 0);
    b.succeeded("k");
    expect(b.check("k", 0)).toEqual({ ok: true });
    for (let i = 0; i < 3; i++) b.begin("k", 0);
    expect(b.check("k", 500).ok).toBe(false);
    expect(b.check("k", 61_001)).toEqual({ ok: true });
  });
});

describe("window budget", () => {
  it("refuses once the window holds max units, until the oldest ages out, and takes refunds back", () => {
    const w = createWindowBudget({ max: 2, windowMs: 1_000 });
    w.spend("ip", 0);
    w.spend("ip", 100);
    expect(w.check("ip", 200)).toEqual({ ok: false, retryAfterMs: 800, first: true });
    expect(w.check("ip", 1_000)).toEqual({ ok: true });
    w.spend("ip", 1_000);
    expect(w.check("ip", 1_000).ok).toBe(false);
    w.refund("ip", 1_000);
    expect(w.check("ip", 1_000)).toEqual({ ok: true });
  });
});

describe("login throttle", () => {
  it("keys the backoff by username (any case) and address, so other addresses are not locked out", () => {
    const t = createLoginThrottle({ backoff: BACKOFF, perIp: { max: 100, windowMs: 60_000 } });
    for (let i = 0; i < 3; i++) {
      const r = t.reserve(i % 2 ? "Ada" : "ada", "10.0.0.1", 0);
      if (!r.ok) throw new Error("expected a reservation");
      r.ticket.failed(0);
    }
    expect(t.reserve("ADA", "10.0.0.1", 10)).toMatchObject({ ok: false, retryAfterMs: 990 });
    expect(t.reserve("ada", "10.0.0.2", 10).ok).toBe(true);
  });

  it("a right password before a second factor gives the address its unit back but keeps the backoff counting", () => {
    const t = createLoginThrottle({ backoff: BACKOFF, perIp: { max: 3, windowMs: 60_000 } });
    for (let i = 0; i < 3; i++) {
      const r = t.reserve("ada", "10.0.0.1", 0);
      if (!r.ok) throw new Error("expected a reservation");
      r.ticket.firstFactorPassed();
    }
    // Three password steps without a code: the (user, address) backoff holds, the address's budget does not.
    expect(t.reserve("ada", "10.0.0.1", 10)).toMatchObject({ ok: false, retryAfterMs: 990 });
    for (const u of ["u1", "u2", "u3"]) expect(t.reserve(u, "10.0.0.1", 10).ok).toBe(true);
  });

  it("caps attempts per address across usernames, and a success gives its unit back", () => {
    const t = createLoginThrottle({ backoff: BACKOFF, perIp: { max: 3, windowMs: 60_000 } });
    const ok = t.reserve("ada", "10.0.0.1", 0);
    if (!ok.ok) throw new Error("expected a reservation");
    ok.ticket.succeeded();
    for (const u of ["u1", "u2", "u3"]) expect(t.reserve(u, "10.0.0.1", 0).ok).toBe(true);
    expect(t.reserve("u4", "10.0.0.1", 0)).toMatchObject({ ok: false, retryAfterMs: 60_000 });
    expect(t.reserve("u4", "10.0.0.2", 0).ok).toBe(true);
  });
});
