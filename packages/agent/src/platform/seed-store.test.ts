import { statSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { tempDir } from "@kanade/testkit";
import { seedStoreFor } from "./seed-store.js";
import { AGENT_REGISTRY_KEY, readRegistryString, regAddArgs, writeRegistryString } from "./windows-registry.js";

describe("agent seed store", () => {
  it("keeps the seed in HKLM\\SOFTWARE\\Kanade\\agent (AgentSeed) on Windows, through reg.exe", () => {
    const values = new Map<string, string>();
    const calls: string[][] = [];
    const store = seedStoreFor("win32", "C:\\ProgramData\\Kanade\\agent", {
      read: (name) =>
        readRegistryString(name, (key, n) =>
          values.has(n) ? { status: 0, stdout: `\r\n${key}\r\n    ${n}    REG_SZ    ${values.get(n)}\r\n`, stderr: "" } : { status: 1, stdout: "", stderr: "not found" },
        ),
      write: (name, data) =>
        writeRegistryString(name, data, (args) => {
          calls.push(args);
          values.set(args[3]!, args[7]!);
          return { status: 0, stderr: "" };
        }),
    });
    expect(store.where).toBe("HKLM\\SOFTWARE\\Kanade\\agent\\AgentSeed");
    expect(store.read()).toBeUndefined();
    store.write("SUAEXAMPLE");
    expect(calls).toEqual([["add", AGENT_REGISTRY_KEY, "/v", "AgentSeed", "/t", "REG_SZ", "/d", "SUAEXAMPLE", "/f"]]);
    expect(store.read()).toBe("SUAEXAMPLE");
    expect(regAddArgs("K", "V", "a b")).toEqual(["add", "K", "/v", "V", "/t", "REG_SZ", "/d", "a b", "/f"]);
  });

  it("keeps it in <data_dir>/state/agent.nk, mode 0600, elsewhere", () => {
    const dir = tempDir();
    try {
      const store = seedStoreFor("linux", dir.path, { read: () => "wrong", write: () => undefined });
      expect(store.read()).toBeUndefined();
      store.write("SUAEXAMPLE");
      expect(store.read()).toBe("SUAEXAMPLE");
      expect(statSync(dir.join("state", "agent.nk")).mode & 0o777).toBe(0o600);
    } finally {
      dir.remove();
    }
  });
});
