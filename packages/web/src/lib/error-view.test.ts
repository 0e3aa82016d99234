import { ApiError } from "@kanade/protocol";
import { describe, expect, it } from "vitest";
import { errorView } from "./error-view.js";

describe("errorView", () => {
  it("shows an API error's code, message and per-field details", () => {
    const e = new ApiError("INVALID_MANIFEST", "The job manifest is invalid", { status: 400, details: [{ path: "execute.shell", message: "unknown shell" }] });
    expect(errorView(e)).toEqual({
      code: "INVALID_MANIFEST",
      message: "The job manifest is invalid",
      details: [{ path: "execute.shell", message: "unknown shell" }],
      meaning: "error.INVALID_MANIFEST",
    });
  });
  it("names a translated meaning only for codes the catalogs know", () => {
    expect(errorView(new ApiError("FORBIDDEN", "Needs the operator role", { status: 403 })).meaning).toBe("error.FORBIDDEN");
    expect(errorView(new ApiError("PAYLOAD_TOO_LARGE", "too large", { status: 413 })).meaning).toBeUndefined();
  });
  it("words an unreachable backend itself, with the underlying reason", () => {
    const e = new ApiError("NETWORK", "cannot reach kanade-backend at this origin: Failed to fetch", { cause: new TypeError("Failed to fetch") });
    expect(errorView(e)).toMatchObject({ code: "NETWORK", lead: { key: "common.networkError", vars: { message: "Failed to fetch" } } });
  });
  it("says when an answer breaks the contract", () => {
    const e = new ApiError("BAD_RESPONSE", "GET /x: the answer does not match its schema at items.0.online: expected boolean");
    expect(errorView(e)).toMatchObject({ code: "BAD_RESPONSE", lead: { key: "common.badResponse", vars: { message: e.message } } });
  });
  it("shows other errors and plain text as they are, without a code", () => {
    expect(errorView(new Error("boom"))).toEqual({ message: "boom", details: [] });
    expect(errorView("Pick at least one PC.")).toEqual({ message: "Pick at least one PC.", details: [] });
  });
});
