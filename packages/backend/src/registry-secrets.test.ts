import { describe, expect, it } from "vitest";
import { KanadeError, type RegQuery } from "@kanade/protocol/wire";
import { BACKEND_REGISTRY_KEY, registrySecrets } from "./registry-secrets.js";

/** reg.exe as it answers on Windows: the key line, then one value line; exit 1 when the value is missing. */
const regExe =
  (values: Record<string, [string, string]>): RegQuery =>
  (key, name) => {
    const v = values[name];
    if (key !== BACKEND_REGISTRY_KEY || !v) return { status: 1, stdout: "", stderr: "ERROR: The system was unable to find the specified registry key or value.\r\n" };
    return { status: 0, stdout: `\r\n${key}\r\n    ${name}    ${v[0]}    ${v[1]}\r\n\r\n`, stderr: "" };
  };

describe("backend secrets from the registry", () => {
  it("fills the SMTP password and the OIDC client secret the environment leaves unset", () => {
    const query = regExe({ SmtpPassword: ["REG_SZ", "mail pass word"], OidcClientSecret: ["REG_SZ", "oidc-s3cret"] });
    expect(registrySecrets({}, query)).toEqual({ KANADE_SMTP_PASSWORD: "mail pass word", KANADE_OIDC_CLIENT_SECRET: "oidc-s3cret" });
  });

  it("lets the environment win, and adds nothing for an absent or empty value", () => {
    const query = regExe({ SmtpPassword: ["REG_SZ", "from-registry"], OidcClientSecret: ["REG_SZ", ""] });
    expect(registrySecrets({ KANADE_SMTP_PASSWORD: "from-env" }, query)).toEqual({});
    expect(registrySecrets({}, regExe({}))).toEqual({});
  });

  it("refuses a value of another type, naming the value and the variable it is for", () => {
    const query = regExe({ SmtpPassword: ["REG_DWORD", "0x1"] });
    let caught: unknown;
    try {
      registrySecrets({}, query);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(KanadeError);
    expect((caught as KanadeError).code).toBe("INVALID_CONFIG");
    expect((caught as KanadeError).message).toBe(`cannot read ${BACKEND_REGISTRY_KEY}\\SmtpPassword (for KANADE_SMTP_PASSWORD): expected a REG_SZ string, found REG_DWORD`);
  });

  it("fails loudly when reg.exe cannot run", () => {
    const query: RegQuery = () => ({ status: null, stdout: "", stderr: "", error: new Error("spawn reg.exe ENOENT") });
    expect(() => registrySecrets({}, query)).toThrow(/SmtpPassword \(for KANADE_SMTP_PASSWORD\): spawn reg.exe ENOENT/);
  });
});
