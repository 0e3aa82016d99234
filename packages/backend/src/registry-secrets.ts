/**
 * Backend secrets from the Windows registry: deploy/backend.ps1 keeps them under `HKLM\SOFTWARE\Kanade\backend`
 * (SYSTEM and Administrators only), so they stay out of backend.toml and the service's XML. A secret the
 * environment already sets wins; the registry fills only what is unset.
 */
import { spawnSync } from "node:child_process";
import { KanadeError, readRegString, type RegQuery } from "@kanade/protocol/wire";

export const BACKEND_REGISTRY_KEY = "HKLM\\SOFTWARE\\Kanade\\backend";

/** Environment variable → registry value name. */
export const REGISTRY_SECRETS = {
  KANADE_SMTP_PASSWORD: "SmtpPassword",
  KANADE_OIDC_CLIENT_SECRET: "OidcClientSecret",
} as const;

const runRegQuery: RegQuery = (key, name) => spawnSync("reg.exe", ["query", key, "/v", name], { encoding: "utf8", windowsHide: true, timeout: 5_000 });

/** The secrets to add to `env`: each one `env` leaves unset and the registry holds. */
export function registrySecrets(env: NodeJS.ProcessEnv, query: RegQuery = runRegQuery): Record<string, string> {
  const found: Record<string, string> = {};
  for (const [variable, name] of Object.entries(REGISTRY_SECRETS)) {
    if (env[variable]?.trim()) continue;
    let value: string | undefined;
    try {
      value = readRegString(query, BACKEND_REGISTRY_KEY, name);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new KanadeError("INVALID_CONFIG", `cannot read ${BACKEND_REGISTRY_KEY}\\${name} (for ${variable}): ${message}`, { details: [{ path: name, message }], cause: err });
    }
    if (value !== undefined) found[variable] = value;
  }
  return found;
}
