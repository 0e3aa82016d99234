import { describe, expect, it } from "vitest";
import { checkRequestHeaders, cookieValue, SESSION_COOKIE, sessionCookie, Sessions } from "./security.js";

const ORIGIN = { host: "127.0.0.1", port: 43123 };

describe("launch token and sessions", () => {
  it("exchanges the token once for a session; the token is void afterwards", () => {
    const s = new Sessions();
    const token = s.launchToken;
    expect(s.exchange("nope")).toBeUndefined();
    const session = s.exchange(token);
    expect(session).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(s.exchange(token)).toBeUndefined();
    expect(() => s.launchToken).toThrow(/already used/);
    expect(s.isValid(`a=b; ${SESSION_COOKIE}=${session}`)).toBe(true);
    expect(s.isValid(`${SESSION_COOKIE}=${token}`)).toBe(false);
    expect(s.isValid(undefined)).toBe(false);
    expect(s.isValid(`${SESSION_COOKIE}=`)).toBe(false);
  });

  it("renew gives a new one-time token and voids an unused one; open sessions stay", () => {
    const s = new Sessions();
    const first = s.launchToken;
    const session = s.exchange(first)!;
    const second = s.renew();
    expect(second).not.toBe(first);
    const third = s.renew();
    expect(s.exchange(second)).toBeUndefined();
    expect(s.exchange(third)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(s.isValid(`${SESSION_COOKIE}=${session}`)).toBe(true);
  });

  it("each process has its own token", () => {
    expect(new Sessions().launchToken).not.toBe(new Sessions().launchToken);
  });

  it("the cookie is HttpOnly and SameSite=Strict", () => {
    expect(sessionCookie("abc")).toBe(`${SESSION_COOKIE}=abc; HttpOnly; SameSite=Strict; Path=/`);
    expect(cookieValue("x=1; y = 2", "y")).toBe("2");
  });
});

describe("Host and Origin checks", () => {
  it("accepts our own host, with or without our origin", () => {
    expect(checkRequestHeaders({ host: "127.0.0.1:43123" }, ORIGIN, false)).toBeUndefined();
    expect(checkRequestHeaders({ host: "127.0.0.1:43123", origin: "http://127.0.0.1:43123" }, ORIGIN, true)).toBeUndefined();
  });

  it("refuses a rebound DNS name, another port, localhost and a missing Host", () => {
    for (const host of ["evil.example:43123", "127.0.0.1:1", "localhost:43123", "127.0.0.1"]) {
      expect(checkRequestHeaders({ host }, ORIGIN, false)).toMatchObject({ status: 421, field: "host" });
    }
    expect(checkRequestHeaders({}, ORIGIN, false)).toMatchObject({ status: 421, field: "host" });
  });

  it("refuses a foreign Origin, and a missing one where a request changes something", () => {
    for (const origin of ["http://evil.example", "http://127.0.0.1:43124", "https://127.0.0.1:43123", "null"]) {
      expect(checkRequestHeaders({ host: "127.0.0.1:43123", origin }, ORIGIN, false)).toMatchObject({ status: 403, field: "origin" });
    }
    expect(checkRequestHeaders({ host: "127.0.0.1:43123" }, ORIGIN, true)).toMatchObject({ status: 403, field: "origin", message: "origin: required on this request" });
    expect(checkRequestHeaders({ host: "127.0.0.1:43123", origin: ["a", "b"] }, ORIGIN, true)).toMatchObject({ status: 403, field: "origin" });
  });
});
