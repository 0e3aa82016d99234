import { writeFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { KanadeError } from "@kanade/protocol/wire";
import { tempDir, type TempDir } from "@kanade/testkit";
import { defaultKlpDir, loadAgentConfig } from "./config.js";

let dir: TempDir | undefined;
afterEach(() => dir?.remove());

function withFile(toml: string): NodeJS.ProcessEnv {
  dir = tempDir("kanade-agent-config-");
  const path = dir.join("agent.toml");
  writeFileSync(path, toml);
  return { KANADE_AGENT_CONFIG: path };
}

describe("loadAgentConfig", () => {
  it("works from env alone", () => {
    const c = loadAgentConfig({ KANADE_AGENT_ID: "pc-1", KANADE_NATS_URL: "nats://h:4223", KANADE_AGENT_DATA_DIR: "/tmp/x", KANADE_NATS_TOKEN: "t", KANADE_LOG: "debug" });
    expect(c).toMatchObject({ pcId: "pc-1", natsUrl: "nats://h:4223", dataDir: "/tmp/x", natsToken: "t", logLevel: "debug", heartbeatIntervalMs: 30_000 });
  });

  it("reads the TOML file and lets env override it", () => {
    const env = withFile('pc_id = "file-pc"\nnats_url = "nats://file:1"\ndata_dir = "/d"\nheartbeat_interval = "10s"\nnats_user = "u"\nnats_password = "p"\n');
    const c = loadAgentConfig({ ...env, KANADE_NATS_URL: "nats://env:2" });
    expect(c).toMatchObject({ pcId: "file-pc", natsUrl: "nats://env:2", dataDir: "/d", heartbeatIntervalMs: 10_000, natsUser: "u", natsPassword: "p" });
  });

  it("takes several broker URLs (a cluster): comma-separated in env or TOML, or a TOML array; names a bad one", () => {
    expect(loadAgentConfig({ KANADE_AGENT_ID: "pc-1", KANADE_NATS_URL: "nats://n1:4222, nats://n2:4222,nats://n3:4222" }).natsUrl).toBe(
      "nats://n1:4222,nats://n2:4222,nats://n3:4222",
    );
    const env = withFile('pc_id = "pc-1"\nnats_url = ["nats://n1:4222", "nats://n2:4222"]\n');
    expect(loadAgentConfig(env).natsUrl).toBe("nats://n1:4222,nats://n2:4222");
    expect(() => loadAgentConfig({ KANADE_AGENT_ID: "pc-1", KANADE_NATS_URL: "nats://n1:4222,http://n2:80" })).toThrow(/KANADE_NATS_URL: "http:\/\/n2:80"/);
  });

  it("refuses a pc_id that is not a subject token, naming it", () => {
    expect(() => loadAgentConfig({ KANADE_AGENT_ID: "bad.id" })).toThrow(/pc_id "bad\.id" is not valid/);
    try {
      loadAgentConfig({ KANADE_AGENT_ID: "has space" });
    } catch (err) {
      expect(err).toBeInstanceOf(KanadeError);
      expect((err as KanadeError).details?.[0]?.path).toBe("pc_id");
    }
  });

  it("turns KLP on by default with the platform's directory, takes klp_* from the file, and has an off switch", () => {
    expect(loadAgentConfig({ KANADE_AGENT_ID: "pc-1" }).klp).toEqual({ dir: defaultKlpDir(), usersDir: "/run/user", pipe: "\\\\.\\pipe\\kanade-agent" });
    expect(defaultKlpDir("linux")).toBe("/run/kanade/klp");
    expect(defaultKlpDir("win32")).toBe("\\\\.\\pipe\\kanade-agent");
    const env = withFile('pc_id = "a"\nklp_dir = "/srv/klp"\nklp_users_dir = "/srv/users"\n');
    expect(loadAgentConfig(env).klp).toEqual({ dir: "/srv/klp", usersDir: "/srv/users", pipe: "\\\\.\\pipe\\kanade-agent" });
    expect(loadAgentConfig({ ...env, KANADE_KLP_DIR: "/env/klp" }).klp?.dir).toBe("/env/klp");
    expect(loadAgentConfig(withFile('pc_id = "a"\nklp_enabled = false\n')).klp).toBeUndefined();
    expect(loadAgentConfig({ KANADE_AGENT_ID: "pc-1", KANADE_KLP: "off" }).klp).toBeUndefined();
    expect(() => loadAgentConfig({ KANADE_AGENT_ID: "pc-1", KANADE_KLP: "no" })).toThrow(/KANADE_KLP must be "on" or "off"/);
  });

  it("takes the Windows pipe name from klp_pipe or KANADE_KLP_PIPE and refuses one that is not a local pipe", () => {
    expect(loadAgentConfig(withFile('pc_id = "a"\nklp_pipe = \'\\\\.\\pipe\\kanade-test\'\n')).klp?.pipe).toBe("\\\\.\\pipe\\kanade-test");
    expect(loadAgentConfig({ KANADE_AGENT_ID: "pc-1", KANADE_KLP_PIPE: "\\\\.\\pipe\\from-env" }).klp?.pipe).toBe("\\\\.\\pipe\\from-env");
    expect(() => loadAgentConfig({ KANADE_AGENT_ID: "pc-1", KANADE_KLP_PIPE: "\\\\server\\pipe\\x" })).toThrow(/must start with/);
    expect(() => loadAgentConfig({ KANADE_AGENT_ID: "pc-1", KANADE_KLP_PIPE: "\\\\.\\pipe\\a'b" })).toThrow(/may only use/);
  });

  it("refuses an unknown TOML key, naming it", () => {
    expect(() => loadAgentConfig(withFile('pc_id = "a"\nnats_ulr = "x"\n'))).toThrow(/unknown key nats_ulr/);
  });

  it("refuses a bad value, naming the key", () => {
    expect(() => loadAgentConfig(withFile('heartbeat_interval = "soon"\n'))).toThrow(/heartbeat_interval/);
    // Node fires a timer longer than ~24.8 days at once: a month would mean a heartbeat every 1 ms.
    expect(() => loadAgentConfig(withFile('heartbeat_interval = "30d"\n'))).toThrow(/heartbeat_interval: must be at most 24d/);
    expect(() => loadAgentConfig(withFile('heartbeat_interval = "500ms"\n'))).toThrow(/heartbeat_interval: must be at least 1s/);
  });

  it("reports unparsable TOML with the file path", () => {
    const env = withFile("pc_id = \n");
    expect(() => loadAgentConfig(env)).toThrow(/agent\.toml/);
  });
});

describe("NATS token precedence: env > TOML > registry", () => {
  /** A stand-in for the Windows registry that counts its reads. */
  const registry = (token: string | undefined) => {
    const reg = { reads: 0, natsToken: () => (reg.reads++, token), enrollToken: () => undefined, natsCa: () => undefined, enrollCreds: () => undefined };
    return reg;
  };

  it("uses the registry only when neither env nor TOML has a token", () => {
    const reg = registry("from-registry");
    expect(loadAgentConfig({ KANADE_AGENT_ID: "pc-1" }, reg).natsToken).toBe("from-registry");
    expect(reg.reads).toBe(1);
  });

  it("prefers TOML over the registry, and env over both, without reading the registry", () => {
    const reg = registry("from-registry");
    const env = withFile('pc_id = "pc-1"\nnats_token = "from-toml"\n');
    expect(loadAgentConfig(env, reg).natsToken).toBe("from-toml");
    expect(loadAgentConfig({ ...env, KANADE_NATS_TOKEN: "from-env" }, reg).natsToken).toBe("from-env");
    expect(reg.reads).toBe(0);
  });

  it("leaves the token unset when the registry has none", () => {
    expect(loadAgentConfig({ KANADE_AGENT_ID: "pc-1" }, registry(undefined)).natsToken).toBeUndefined();
  });
});

// The shape parseCreds checks (three JWT parts, an "SU" user seed); the broker is never asked here.
const JWT = "eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiJVRU5ST0xMIn0.c2ln";
const SEED = "SUAEXAMPLESEEDFORTHECONFIGTESTONLY";

describe("enrollment token, CA and enrollment creds: env > TOML > registry", () => {
  const creds = (d: TempDir): string => {
    const path = d.join("enroll.creds");
    writeFileSync(path, `-----BEGIN NATS USER JWT-----\n${JWT}\n------END NATS USER JWT------\n\n-----BEGIN USER NKEY SEED-----\n${SEED}\n------END USER NKEY SEED------\n`);
    return path;
  };
  /** What deploy/agent.ps1 stores, as the Windows registry would give it back; counts the reads. */
  const registry = (values: { enrollToken?: string; natsCa?: string; enrollCreds?: string }) => {
    const reg = {
      reads: [] as string[],
      natsToken: () => undefined,
      enrollToken: () => (reg.reads.push("EnrollToken"), values.enrollToken),
      natsCa: () => (reg.reads.push("NatsCa"), values.natsCa),
      enrollCreds: () => (reg.reads.push("EnrollCreds"), values.enrollCreds),
    };
    return reg;
  };

  it("takes all three from the registry when neither env nor TOML sets them", () => {
    dir = tempDir("kanade-agent-config-");
    const reg = registry({ enrollToken: "ket_from_registry", natsCa: "C:/ProgramData/Kanade/agent/ca.pem", enrollCreds: creds(dir) });
    const c = loadAgentConfig({ KANADE_AGENT_ID: "pc-1" }, reg);
    expect(c.enrollToken).toBe("ket_from_registry");
    expect(c.natsCa).toBe("C:/ProgramData/Kanade/agent/ca.pem");
    expect(c.enrollCreds?.jwt).toBe(JWT);
    expect(reg.reads.sort()).toEqual(["EnrollCreds", "EnrollToken", "NatsCa"]);
  });

  it("prefers TOML and env without reading the registry, and names the registry value when its creds file is unusable", () => {
    dir = tempDir("kanade-agent-config-");
    const reg = registry({ enrollToken: "ket_from_registry", natsCa: "reg-ca.pem", enrollCreds: dir.join("missing.creds") });
    const path = dir.join("agent.toml");
    writeFileSync(path, `pc_id = "pc-1"\nenroll_token = "ket_from_toml"\nnats_ca = "toml-ca.pem"\nenroll_creds = ${JSON.stringify(creds(dir))}\n`);
    const fromToml = loadAgentConfig({ KANADE_AGENT_CONFIG: path }, reg);
    expect([fromToml.enrollToken, fromToml.natsCa]).toEqual(["ket_from_toml", "toml-ca.pem"]);
    const fromEnv = loadAgentConfig({ KANADE_AGENT_CONFIG: path, KANADE_ENROLL_TOKEN: "ket_from_env", KANADE_NATS_CA: "env-ca.pem" }, reg);
    expect([fromEnv.enrollToken, fromEnv.natsCa]).toEqual(["ket_from_env", "env-ca.pem"]);
    expect(reg.reads).toEqual([]);
    expect(() => loadAgentConfig({ KANADE_AGENT_ID: "pc-1" }, reg)).toThrow(/registry value EnrollCreds: cannot use .*missing\.creds/);
  });

  it("leaves them unset when the registry has none", () => {
    const c = loadAgentConfig({ KANADE_AGENT_ID: "pc-1" }, registry({}));
    expect([c.enrollToken, c.natsCa, c.enrollCreds]).toEqual([undefined, undefined, undefined]);
  });
});
