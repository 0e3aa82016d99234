/**
 * Sign-in throttling as an attacker and an operator see it, against a real backend: parallel password
 * guesses are counted before any hash is checked, backoff is per (username, address) so an attacker
 * elsewhere cannot lock the admin out, and wrong bearer tokens are budgeted per address.
 * Each test uses its own loopback source addresses (127.0.0.x), so their counts do not mix.
 */
import { describe, expect, it } from "vitest";
import type { AuditRecord } from "@kanade/protocol";
import { waitFor } from "@kanade/testkit";
import { TOKEN, useBackendEnv } from "./helpers.js";
import { requestFrom, type FromResponse } from "./request-from.js";

type ErrBody = { error: { code: string; message: string } };
const PASSWORD = "correct horse battery";

const statuses = (rs: FromResponse[]): Record<number, number> =>
  rs.reduce<Record<number, number>>((acc, r) => ({ ...acc, [r.status]: (acc[r.status] ?? 0) + 1 }), {});

describe("sign-in throttling", () => {
  const env = useBackendEnv();
  const loginFrom = (ip: string, username: string, password: string) =>
    requestFrom(ip, env().backend.url, "POST", "/api/auth/login", { body: { username, password } });
  const createAccount = async (username: string, role: "viewer" | "operator" | "admin"): Promise<void> => {
    expect((await env().backend.api("POST", "/api/accounts", { username, password: PASSWORD, role })).status).toBe(201);
  };
  const failedLogins = async (username: string): Promise<AuditRecord[]> =>
    ((await env().backend.api("GET", `/api/audit?action=auth.login_failed&target=${username}&limit=500`)).body as { items: AuditRecord[] }).items;

  it("checks only a few of 100 parallel guesses for one account; the correct password sent last is refused too", async () => {
    await createAccount("victim", "operator");
    const wrong = Array.from({ length: 99 }, (_, i) => loginFrom("127.0.0.31", "victim", `wrong password ${i}`));
    const correct = loginFrom("127.0.0.31", "victim", PASSWORD);
    const startedAt = Date.now();
    const all = await Promise.all([...wrong, correct]);
    const elapsedMs = Date.now() - startedAt;
    const counts = statuses(all);
    // The throttle lets 5 failures through back to back; every other attempt is refused before hashing.
    // On a loaded machine the burst itself can outlast a backoff wait (1 s, then 2 s, 4 s, ...), and an
    // attempt arriving after its wait is rightly checked: allow exactly those, never the 99 of the old race.
    const waitsElapsed = Math.floor(Math.log2(elapsedMs / 1000 + 1));
    expect(counts[401]).toBeLessThanOrEqual(5 + waitsElapsed);
    expect(counts[429]).toBeGreaterThanOrEqual(95 - waitsElapsed);
    const last = await correct;
    expect(last.status).toBe(429);
    expect((last.body as ErrBody).error.code).toBe("RATE_LIMITED");
    expect(Number(last.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    // What was checked is what was audited as a failure: a handful, not 99.
    const audited = await waitFor(async () => {
      const rows = await failedLogins("victim");
      return rows.length === counts[401] ? rows : undefined;
    }, { timeoutMs: 10_000, what: "failed logins audited" });
    expect(audited.length).toBeLessThanOrEqual(5 + waitsElapsed);
  });

  it("does not lock the admin out of other addresses: after 20 wrong passwords from one, the admin logs in from another at once", async () => {
    await createAccount("boss", "admin");
    for (let i = 0; i < 20; i++) expect([401, 429]).toContain((await loginFrom("127.0.0.41", "boss", `guess ${i}`)).status);
    expect((await loginFrom("127.0.0.41", "boss", PASSWORD)).status).toBe(429);
    const elsewhere = await loginFrom("127.0.0.42", "BOSS", PASSWORD);
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.body).toMatchObject({ username: "boss", role: "admin" });
  });

  it("checks at most the address's budget of 1,000 parallel logins across usernames, then refuses that address only", async () => {
    await createAccount("sprayed", "viewer");
    const all = await Promise.all(Array.from({ length: 1_000 }, (_, i) => loginFrom("127.0.0.51", `user-${i}`, "Winter2026!")));
    const counts = statuses(all);
    expect(counts[401]).toBeLessThanOrEqual(30);
    expect(counts[429]).toBeGreaterThanOrEqual(970);
    // The budget is spent for a while: even a correct password from that address waits.
    expect((await loginFrom("127.0.0.51", "sprayed", PASSWORD)).status).toBe(429);
    expect((await loginFrom("127.0.0.52", "sprayed", PASSWORD)).status).toBe(200);
  });

  it("answers 429 with retry-after to an address that guesses bearer tokens, before checking any token", async () => {
    const guesses = await Promise.all(
      Array.from({ length: 300 }, (_, i) => requestFrom("127.0.0.61", env().backend.url, "GET", "/api/jobs", { token: `guess-${i}-${"x".repeat(30)}` })),
    );
    const counts = statuses(guesses);
    expect(counts[401]).toBeLessThanOrEqual(60);
    expect(counts[429]).toBeGreaterThanOrEqual(240);
    const limited = guesses.find((r) => r.status === 429)!;
    expect((limited.body as ErrBody).error.code).toBe("RATE_LIMITED");
    expect(Number(limited.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    // Past the budget even the right token from that address waits; other addresses are unaffected.
    expect((await requestFrom("127.0.0.61", env().backend.url, "GET", "/api/jobs", { token: TOKEN })).status).toBe(429);
    expect((await requestFrom("127.0.0.62", env().backend.url, "GET", "/api/jobs", { token: TOKEN })).status).toBe(200);
    // A request without any token is not a guess: it keeps getting 401, not 429.
    expect((await requestFrom("127.0.0.61", env().backend.url, "GET", "/api/jobs")).status).toBe(401);
  });
});
