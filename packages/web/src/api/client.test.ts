import { describe, expect, it } from "vitest";
import { query, toApiError } from "./client.js";

describe("api client helpers", () => {
  it("turns the API error body into a readable error with its code and details", () => {
    const e = toApiError(400, JSON.stringify({ error: { code: "INVALID_MANIFEST", message: "bad", details: [{ path: "id", message: "required" }] } }));
    expect(e).toMatchObject({ status: 400, code: "INVALID_MANIFEST", message: "bad", details: [{ path: "id", message: "required" }] });
    expect(e.routeMissing).toBe(false);
  });
  it("recognises a missing route apart from a missing resource", () => {
    expect(toApiError(404, JSON.stringify({ error: { code: "NOT_FOUND", message: "No route GET /api/perf/fleet" } })).routeMissing).toBe(true);
    expect(toApiError(404, JSON.stringify({ error: { code: "AGENT_NOT_FOUND", message: "No agent" } })).routeMissing).toBe(false);
  });
  it("still says something useful for non-JSON errors", () => {
    expect(toApiError(502, "<html>Bad Gateway</html>").message).toBe("HTTP 502: <html>Bad Gateway</html>");
  });
  it("builds query strings from defined values", () => {
    expect(query({ a: 1, b: undefined, c: "", d: "x y" })).toBe("?a=1&d=x+y");
    expect(query({})).toBe("");
  });
});
