import { describe, expect, it } from "vitest";
import { KanadeError } from "@kanade/protocol/wire";
import { platformSecrets } from "./index.js";
import { AGENT_REGISTRY_KEY, parseRegQuery, readRegistryNatsToken, type RegQuery } from "./windows-registry.js";

// What `reg query "HKLM\SOFTWARE\Kanade\agent" /v NatsToken` prints on Windows 10/11 (CRLF, four-space columns).
const REG_SZ_OUTPUT = "\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Kanade\\agent\r\n    NatsToken    REG_SZ    s3cr3t-T0ken_with.dots\r\n\r\n";
// `reg query <key>` without /v lists every value of the key.
const WHOLE_KEY_OUTPUT = [
  "",
  "HKEY_LOCAL_MACHINE\\SOFTWARE\\Kanade\\agent",
  "    NatsUrl    REG_SZ    tls://nats.example:4222",
  "    Retries    REG_DWORD    0x3",
  "    natstoken    REG_EXPAND_SZ    token with  two spaces",
  "",
  "",
].join("\r\n");
const MISSING_STDERR = "ERROR: The system was unable to find the specified registry key or value.\r\n";

const fakeReg = (answer: ReturnType<RegQuery>): RegQuery & { calls: [string, string][] } => {
  const calls: [string, string][] = [];
  const q = ((key: string, name: string) => {
    calls.push([key, name]);
    return answer;
  }) as RegQuery & { calls: [string, string][] };
  q.calls = calls;
  return q;
};

describe("parseRegQuery", () => {
  it("reads a REG_SZ value from CRLF output", () => {
    expect(parseRegQuery(REG_SZ_OUTPUT, "NatsToken")).toEqual({ type: "REG_SZ", data: "s3cr3t-T0ken_with.dots" });
  });

  it("picks the named value among several, case-insensitively, keeping spaces inside the data", () => {
    expect(parseRegQuery(WHOLE_KEY_OUTPUT, "NatsToken")).toEqual({ type: "REG_EXPAND_SZ", data: "token with  two spaces" });
    expect(parseRegQuery(WHOLE_KEY_OUTPUT, "Retries")).toEqual({ type: "REG_DWORD", data: "0x3" });
    expect(parseRegQuery(WHOLE_KEY_OUTPUT.replaceAll("\r\n", "\n"), "NatsUrl")?.data).toBe("tls://nats.example:4222");
  });

  it("returns undefined when the value is not listed, and empty data for an empty string", () => {
    expect(parseRegQuery("", "NatsToken")).toBeUndefined();
    expect(parseRegQuery(MISSING_STDERR, "NatsToken")).toBeUndefined();
    expect(parseRegQuery("\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Kanade\\agent\r\n    Other    REG_SZ    x\r\n", "NatsToken")).toBeUndefined();
    expect(parseRegQuery("\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Kanade\\agent\r\n    NatsToken    REG_SZ    \r\n", "NatsToken")).toEqual({ type: "REG_SZ", data: "" });
    expect(parseRegQuery("\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Kanade\\agent\r\n    NatsToken    REG_SZ\r\n", "NatsToken")).toEqual({ type: "REG_SZ", data: "" });
  });
});

describe("readRegistryNatsToken", () => {
  it("queries HKLM\\SOFTWARE\\Kanade\\agent /v NatsToken and returns the string", () => {
    const reg = fakeReg({ status: 0, stdout: REG_SZ_OUTPUT, stderr: "" });
    expect(readRegistryNatsToken(reg)).toBe("s3cr3t-T0ken_with.dots");
    expect(reg.calls).toEqual([[AGENT_REGISTRY_KEY, "NatsToken"]]);
    expect(AGENT_REGISTRY_KEY).toBe("HKLM\\SOFTWARE\\Kanade\\agent");
  });

  it("treats a missing key or value (exit 1) and an empty string as no token", () => {
    expect(readRegistryNatsToken(fakeReg({ status: 1, stdout: "", stderr: MISSING_STDERR }))).toBeUndefined();
    expect(readRegistryNatsToken(fakeReg({ status: 0, stdout: "\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Kanade\\agent\r\n    NatsToken    REG_SZ    \r\n", stderr: "" }))).toBeUndefined();
  });

  it("fails loudly on a value of the wrong type or a reg.exe that cannot run", () => {
    const dword = fakeReg({ status: 0, stdout: "\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Kanade\\agent\r\n    NatsToken    REG_DWORD    0x1\r\n", stderr: "" });
    expect(() => readRegistryNatsToken(dword)).toThrow(/expected a REG_SZ string, found REG_DWORD/);
    const missing = fakeReg({ status: null, stdout: "", stderr: "", error: new Error("spawnSync reg.exe ENOENT") });
    expect(() => readRegistryNatsToken(missing)).toThrow(KanadeError);
    expect(() => readRegistryNatsToken(fakeReg({ status: 5, stdout: "", stderr: "ERROR: Access is denied.\r\n" }))).toThrow(/exited with 5: ERROR: Access is denied\./);
  });
});

describe("platformSecrets", () => {
  it("never consults the registry off Windows", () => {
    for (const os of ["linux", "darwin"] as const) {
      const s = platformSecrets(os);
      expect([s.natsToken(), s.enrollToken(), s.natsCa(), s.enrollCreds()]).toEqual([undefined, undefined, undefined, undefined]);
    }
  });

  it("reads on Windows the values deploy/agent.ps1 stores: EnrollToken, NatsCa and EnrollCreds", () => {
    // What `reg query HKLM\SOFTWARE\Kanade\agent /v <name>` prints for each value the deploy script wrote.
    const stored: Record<string, string> = {
      EnrollToken: "ket_0123456789abcdef",
      NatsCa: "C:\\ProgramData\\Kanade\\agent\\ca.pem",
      EnrollCreds: "C:\\ProgramData\\Kanade\\agent\\enroll.creds",
    };
    const calls: [string, string][] = [];
    const reg: RegQuery = (key, name) => {
      calls.push([key, name]);
      const data = stored[name];
      if (data === undefined) return { status: 1, stdout: "", stderr: MISSING_STDERR };
      return { status: 0, stdout: `\r\nHKEY_LOCAL_MACHINE\\SOFTWARE\\Kanade\\agent\r\n    ${name}    REG_SZ    ${data}\r\n\r\n`, stderr: "" };
    };
    const s = platformSecrets("win32", reg);
    expect(s.enrollToken()).toBe("ket_0123456789abcdef");
    expect(s.natsCa()).toBe("C:\\ProgramData\\Kanade\\agent\\ca.pem");
    expect(s.enrollCreds()).toBe("C:\\ProgramData\\Kanade\\agent\\enroll.creds");
    expect(s.natsToken()).toBeUndefined();
    expect(calls).toEqual([
      [AGENT_REGISTRY_KEY, "EnrollToken"],
      [AGENT_REGISTRY_KEY, "NatsCa"],
      [AGENT_REGISTRY_KEY, "EnrollCreds"],
      [AGENT_REGISTRY_KEY, "NatsToken"],
    ]);
  });
});
