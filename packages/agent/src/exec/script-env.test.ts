import { describe, expect, it } from "vitest";
import { scriptEnv } from "./script-env.js";

const run = { pcId: "pc-1", execId: "e-1", jobId: "job", jobVersion: "1.2.3" };

describe("scriptEnv", () => {
  it("drops the agent's credentials and any KANADE_* secret, keeps the rest and adds the run's variables", () => {
    const env = scriptEnv(
      {
        PATH: "/usr/bin",
        HOME: "/root",
        KANADE_NATS_TOKEN: "s3cret-token-value",
        KANADE_NATS_USER: "agent",
        KANADE_NATS_PASSWORD: "pw",
        KANADE_ENROLL_TOKEN: "enroll",
        KANADE_NKEY_SEED: "SUAM...",
        KANADE_AUTH_TOKEN: "cli-token",
        KANADE_SIGNING_KEY: "k",
        KANADE_AGENT_ID: "pc-1",
        KANADE_LOG: "info",
        KANADE_NATS_URL: "nats://127.0.0.1:4222",
      },
      ["s3cret-token-value", "pw"],
      run,
    );
    expect(env).toEqual({
      PATH: "/usr/bin",
      HOME: "/root",
      KANADE_AGENT_ID: "pc-1",
      KANADE_LOG: "info",
      KANADE_NATS_URL: "nats://127.0.0.1:4222",
      KANADE_PC_ID: "pc-1",
      KANADE_EXEC_ID: "e-1",
      KANADE_JOB_ID: "job",
      KANADE_JOB_VERSION: "1.2.3",
    });
  });

  it("matches names case-insensitively, as Windows does", () => {
    const env = scriptEnv({ Kanade_Nats_Token: "t", kanade_nkey_seed: "s", Path: "C:\\Windows", kanade_exec_id: "spoofed" }, [], run);
    expect(env).toEqual({ Path: "C:\\Windows", KANADE_PC_ID: "pc-1", KANADE_EXEC_ID: "e-1", KANADE_JOB_ID: "job", KANADE_JOB_VERSION: "1.2.3" });
  });

  it("drops a broker URL with credentials in it, and any variable holding a credential read from the config file", () => {
    const env = scriptEnv(
      {
        KANADE_NATS_URL: "nats://a.example:4222,nats://agent:pw@b.example:4222",
        NATS_TOKEN_COPY: "token-from-the-toml-file",
        SOME_URL: "https://x/?t=token-from-the-toml-file",
        SHORT: "pw",
        HAS_PW_INSIDE: "upward",
        http_proxy: "http://u:p@proxy:3128",
      },
      ["token-from-the-toml-file", "pw"],
      run,
    );
    expect(Object.keys(env).filter((k) => !k.startsWith("KANADE_"))).toEqual(["HAS_PW_INSIDE", "http_proxy"]);
    expect(env.KANADE_NATS_URL).toBeUndefined();
  });
});
