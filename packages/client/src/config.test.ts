import { describe, expect, it } from "vitest";
import { klpEndpoint, parseArgs } from "./config.js";

describe("client config", () => {
  it("finds the per-uid socket, the Windows pipe, or an explicit path", () => {
    expect(klpEndpoint({}, "linux", 1000)).toBe("/run/kanade/klp/1000.sock");
    expect(klpEndpoint({ KANADE_KLP_DIR: "/tmp/k" }, "linux", 7)).toBe("/tmp/k/7.sock");
    expect(klpEndpoint({}, "win32", undefined)).toBe("\\\\.\\pipe\\kanade-agent");
    expect(klpEndpoint({ KANADE_KLP_PIPE: "\\\\.\\pipe\\other", KANADE_KLP_DIR: "/ignored" }, "win32", undefined)).toBe("\\\\.\\pipe\\other");
    expect(klpEndpoint({ KANADE_CLIENT_SOCKET: "/x.sock" }, "linux", 1)).toBe("/x.sock");
  });

  it("parses its options and names a bad one", () => {
    expect(parseArgs([])).toEqual({ open: true, tray: true, version: false });
    expect(parseArgs(["--no-open", "--no-tray", "--socket", "/s"])).toEqual({ open: false, tray: false, version: false, socket: "/s" });
    expect(parseArgs(["--version"])).toMatchObject({ version: true });
    expect(() => parseArgs(["--user", "root"])).toThrow(/--user: unknown option/);
    expect(() => parseArgs(["--socket"])).toThrow(/--socket: needs a value/);
  });
});
