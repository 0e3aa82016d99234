import { writeFileSync } from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "@kanade/testkit";
import { configError } from "../test/config-error.js";
import { loadBackendConfig, parseBindAddr, sqlitePath } from "./config.js";

const LONG_TOKEN = "0123456789abcdef0123456789abcdef";

describe("loadBackendConfig", () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it("uses the documented defaults with only a token set", () => {
    expect(loadBackendConfig({ KANADE_AUTH_STATIC_TOKEN: LONG_TOKEN })).toEqual({
      bindHost: "127.0.0.1",
      bindPort: 8080,
      natsUrl: "nats://127.0.0.1:4222",
      databaseUrl: "sqlite://./kanade.db",
      authDisabled: false,
      staticToken: LONG_TOKEN,
      logLevel: "info",
    });
  });

  it("refuses to start without a token unless auth is disabled, naming the env var", () => {
    expect(() => loadBackendConfig({})).toThrow(/KANADE_AUTH_STATIC_TOKEN/);
    expect(loadBackendConfig({ KANADE_AUTH_DISABLE: "1" }).authDisabled).toBe(true);
    expect(loadBackendConfig({ KANADE_AUTH_DISABLE: "true" }).authDisabled).toBe(true);
    expect(() => loadBackendConfig({ KANADE_AUTH_DISABLE: "maybe" })).toThrow(/KANADE_AUTH_DISABLE/);
  });

  it("refuses a static token shorter than 32 characters unless auth is disabled, naming where it came from", () => {
    expect(() => loadBackendConfig({ KANADE_AUTH_STATIC_TOKEN: "short-but-not-32-characters" })).toThrow(
      /^KANADE_AUTH_STATIC_TOKEN: the static token must be at least 32 characters \(it has 27\)/,
    );
    const file = dir.join("short-token.toml");
    writeFileSync(file, 'auth_static_token = "from-file"\n');
    expect(() => loadBackendConfig({ KANADE_BACKEND_CONFIG: file })).toThrow(/^auth_static_token: the static token must be at least 32 characters/);
    expect(loadBackendConfig({ KANADE_AUTH_STATIC_TOKEN: "short", KANADE_AUTH_DISABLE: "1" }).authDisabled).toBe(true);
    expect(loadBackendConfig({ KANADE_AUTH_STATIC_TOKEN: LONG_TOKEN }).staticToken).toBe(LONG_TOKEN);
  });

  it("reads the EXEC max age as a duration and refuses nonsense", () => {
    expect(loadBackendConfig({ KANADE_AUTH_DISABLE: "1", KANADE_EXEC_MAX_AGE: "12h" }).execMaxAgeMs).toBe(12 * 3_600_000);
    expect(() => loadBackendConfig({ KANADE_AUTH_DISABLE: "1", KANADE_EXEC_MAX_AGE: "soon" })).toThrow(/KANADE_EXEC_MAX_AGE/);
  });

  it("takes several broker URLs and a replica count, from env or TOML, naming a bad value", () => {
    const env = { KANADE_AUTH_DISABLE: "1" };
    const c = loadBackendConfig({ ...env, KANADE_NATS_URL: "nats://n1:4222, nats://n2:4222,nats://n3:4222", KANADE_NATS_REPLICAS: "3" });
    expect(c).toMatchObject({ natsUrl: "nats://n1:4222,nats://n2:4222,nats://n3:4222", natsReplicas: 3 });
    expect(loadBackendConfig(env).natsReplicas).toBeUndefined();
    const file = dir.join("cluster.toml");
    writeFileSync(file, 'auth_disable = true\nnats_url = ["nats://n1:4222", "nats://n2:4222"]\nnats_replicas = 3\nagent_nats_url = "nats://a:4222,nats://b:4222"\n');
    expect(loadBackendConfig({ KANADE_BACKEND_CONFIG: file })).toMatchObject({ natsUrl: "nats://n1:4222,nats://n2:4222", natsReplicas: 3, agentNatsUrl: "nats://a:4222,nats://b:4222" });
    expect(configError(() => loadBackendConfig({ ...env, KANADE_NATS_REPLICAS: "7" })).details?.[0]?.path).toBe("KANADE_NATS_REPLICAS");
    expect(() => loadBackendConfig({ ...env, KANADE_NATS_REPLICAS: "three" })).toThrow(/KANADE_NATS_REPLICAS: expected a number of replicas from 1 to 5/);
    expect(() => loadBackendConfig({ ...env, KANADE_NATS_URL: "nats://n1:4222,n2" })).toThrow(/KANADE_NATS_URL: "n2" is not a broker URL/);
    writeFileSync(file, "auth_disable = true\nnats_replicas = 0\n");
    expect(() => loadBackendConfig({ KANADE_BACKEND_CONFIG: file })).toThrow(/nats_replicas/);
  });

  it("takes a postgres:// DATABASE_URL and rejects other schemes", () => {
    expect(loadBackendConfig({ KANADE_AUTH_DISABLE: "1", DATABASE_URL: "postgres://kanade@db/kanade" }).databaseUrl).toBe("postgres://kanade@db/kanade");
    expect(loadBackendConfig({ KANADE_AUTH_DISABLE: "1", DATABASE_URL: "postgresql://db/kanade" }).databaseUrl).toBe("postgresql://db/kanade");
    expect(() => loadBackendConfig({ KANADE_AUTH_DISABLE: "1", DATABASE_URL: "mysql://db/kanade" })).toThrow(/expected sqlite:\/\/<path> or postgres:\/\//);
  });

  it("accepts port 0 and rejects a bind address without a port", () => {
    expect(parseBindAddr("0.0.0.0:0")).toEqual({ host: "0.0.0.0", port: 0 });
    expect(parseBindAddr("[::1]:9000")).toEqual({ host: "::1", port: 9000 });
    expect(() => loadBackendConfig({ KANADE_AUTH_DISABLE: "1", KANADE_BIND_ADDR: "localhost" })).toThrow(/KANADE_BIND_ADDR/);
  });

  it("reads the TOML file, lets env override it, and names a bad key", () => {
    const file = dir.join("backend.toml");
    writeFileSync(file, `bind_addr = "127.0.0.1:9999"\nauth_static_token = "${LONG_TOKEN}"\nnats_url = "nats://n:4222"\n`);
    const c = loadBackendConfig({ KANADE_BACKEND_CONFIG: file, KANADE_NATS_URL: "nats://env:4222" });
    expect(c).toMatchObject({ bindPort: 9999, staticToken: LONG_TOKEN, natsUrl: "nats://env:4222" });

    writeFileSync(file, 'bind_addr = 8080\nauth_disable = true\n');
    expect(() => loadBackendConfig({ KANADE_BACKEND_CONFIG: file })).toThrow(/bind_addr/);
    writeFileSync(file, 'auth_disable = true\nbind_adr = "x"\n');
    expect(() => loadBackendConfig({ KANADE_BACKEND_CONFIG: file })).toThrow(/bind_adr/);
  });

  it("reads the TOTP issuer from env or TOML and refuses one that would break the otpauth label", () => {
    expect(loadBackendConfig({ KANADE_AUTH_DISABLE: "1" }).totpIssuer).toBeUndefined();
    expect(loadBackendConfig({ KANADE_AUTH_DISABLE: "1", KANADE_TOTP_ISSUER: "Acme IT" }).totpIssuer).toBe("Acme IT");
    const file = dir.join("issuer.toml");
    writeFileSync(file, 'auth_disable = true\ntotp_issuer = "Acme Osaka"\n');
    expect(loadBackendConfig({ KANADE_BACKEND_CONFIG: file }).totpIssuer).toBe("Acme Osaka");
    expect(configError(() => loadBackendConfig({ KANADE_AUTH_DISABLE: "1", KANADE_TOTP_ISSUER: "a:b" })).message).toMatch(/KANADE_TOTP_ISSUER/);
  });

  it("keeps the live perf lease within what a timer can wait", () => {
    const file = dir.join("lease.toml");
    writeFileSync(file, 'auth_disable = true\nperf_live_lease = "15s"\n');
    expect(loadBackendConfig({ KANADE_BACKEND_CONFIG: file }).perfLiveLeaseMs).toBe(15_000);
    writeFileSync(file, 'auth_disable = true\nperf_live_lease = "30d"\n');
    expect(() => loadBackendConfig({ KANADE_BACKEND_CONFIG: file })).toThrow(/perf_live_lease: must be at most 24d/);
  });

  it("turns a sqlite URL into a path", () => {
    expect(sqlitePath("sqlite://./kanade.db")).toBe("./kanade.db");
    expect(sqlitePath("sqlite:///var/lib/kanade/kanade.db")).toBe("/var/lib/kanade/kanade.db");
  });

  it("reports every problem as INVALID_CONFIG naming the env var or TOML key, like the agent", () => {
    const log = configError(() => loadBackendConfig({ KANADE_AUTH_DISABLE: "1", KANADE_LOG: "loud" }));
    expect(log.message).toBe('KANADE_LOG: expected one of fatal, error, warn, info, debug, trace, silent, got "loud"');
    expect(log.details).toEqual([{ path: "KANADE_LOG", message: log.message }]);
    expect(configError(() => loadBackendConfig({ KANADE_BOOTSTRAP_ADMIN_USER: "root" })).details?.[0]?.path).toBe("KANADE_BOOTSTRAP_ADMIN_PASSWORD");
    const file = dir.join("bad-keys.toml");
    writeFileSync(file, 'auth_disable = true\nbind_addr = 8080\nbind_adr = "x"\n');
    const bad = configError(() => loadBackendConfig({ KANADE_BACKEND_CONFIG: file }));
    expect(bad.message).toMatch(/^.*bad-keys\.toml: /);
    expect(bad.details?.map((d) => d.path).sort()).toEqual(["bind_addr", "bind_adr"]);
    expect(configError(() => loadBackendConfig({ KANADE_BACKEND_CONFIG: dir.join("missing.toml") })).details?.[0]?.path).toBe("KANADE_BACKEND_CONFIG");
  });

  it("reads [smtp] from the file, env overriding it; the password only from KANADE_SMTP_PASSWORD", () => {
    const file = dir.join("smtp.toml");
    writeFileSync(file, `[smtp]\nhost = "smtp.example.com"\nuser = "kanade"\nfrom = "kanade@example.com"\npublic_url = "https://kanade.example.com/"\n`);
    const base = { KANADE_AUTH_DISABLE: "1", KANADE_BACKEND_CONFIG: file };
    expect(loadBackendConfig(base).smtp).toEqual({
      host: "smtp.example.com", port: 587, security: "starttls", user: "kanade", from: "kanade@example.com", publicUrl: "https://kanade.example.com",
    });
    expect(loadBackendConfig({ ...base, KANADE_SMTP_SECURITY: "tls", KANADE_SMTP_PASSWORD: "s3cret" }).smtp).toMatchObject({ port: 465, security: "tls", password: "s3cret" });
    expect(loadBackendConfig({ KANADE_AUTH_DISABLE: "1" }).smtp).toBeUndefined();
    expect(configError(() => loadBackendConfig({ ...base, KANADE_SMTP_SECURITY: "ssl" })).details?.[0]?.path).toBe("KANADE_SMTP_SECURITY");
    expect(configError(() => loadBackendConfig({ KANADE_AUTH_DISABLE: "1", KANADE_SMTP_HOST: "h", KANADE_SMTP_FROM: "a@b.c" })).details?.[0]?.path).toBe("KANADE_PUBLIC_URL");
    expect(configError(() => loadBackendConfig({ KANADE_AUTH_DISABLE: "1", KANADE_SMTP_HOST: "h", KANADE_PUBLIC_URL: "http://x" })).details?.[0]?.path).toBe("KANADE_SMTP_FROM");
    const inFile = dir.join("smtp-password.toml");
    writeFileSync(inFile, `[smtp]\nhost = "h"\npassword = "in clear"\n`);
    const refused = configError(() => loadBackendConfig({ KANADE_AUTH_DISABLE: "1", KANADE_BACKEND_CONFIG: inFile }));
    expect(refused.details?.map((d) => d.path)).toEqual(["smtp.password"]);
    expect(refused.message).toMatch(/KANADE_SMTP_PASSWORD/);
  });
});
