import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "@kanade/testkit";
import { configError } from "../test/config-error.js";
import { loadBackendConfig } from "./config.js";

const TOKEN = "0123456789abcdef0123456789abcdef";

describe("[oidc] configuration", () => {
  const dir = tempDir();
  afterAll(() => dir.remove());
  const file = (toml: string): string => {
    const path = join(dir.path, `c${Math.random().toString(36).slice(2)}.toml`);
    writeFileSync(path, toml);
    return path;
  };
  const ENTRA = `
[oidc]
issuer = "https://login.microsoftonline.com/0000-tenant/v2.0"
client_id = "11111111-2222-3333-4444-555555555555"
redirect_base_url = "https://kanade.example.com/"
role_claim = "groups"
name = "Entra ID"
refresh_interval = "10m"

[oidc.roles]
"aaaaaaaa-0000-0000-0000-000000000001" = "admin"
"aaaaaaaa-0000-0000-0000-000000000002" = "operator"
`;

  it("reads the TOML section, takes the secret from the environment only, and fills the defaults", () => {
    const c = loadBackendConfig({ KANADE_AUTH_STATIC_TOKEN: TOKEN, KANADE_BACKEND_CONFIG: file(ENTRA), KANADE_OIDC_CLIENT_SECRET: "s3cret" });
    expect(c.oidc).toEqual({
      issuer: "https://login.microsoftonline.com/0000-tenant/v2.0",
      clientId: "11111111-2222-3333-4444-555555555555",
      clientSecret: "s3cret",
      redirectBaseUrl: "https://kanade.example.com",
      roleClaim: "groups",
      roles: { "aaaaaaaa-0000-0000-0000-000000000001": "admin", "aaaaaaaa-0000-0000-0000-000000000002": "operator" },
      usernameClaim: "preferred_username",
      scopes: "openid profile email offline_access",
      name: "Entra ID",
      refreshIntervalMs: 600_000,
    });
    expect(loadBackendConfig({ KANADE_AUTH_STATIC_TOKEN: TOKEN }).oidc).toBeUndefined();
  });

  it("takes every key from KANADE_OIDC_* too, the roles as value=role pairs", () => {
    const c = loadBackendConfig({
      KANADE_AUTH_STATIC_TOKEN: TOKEN,
      KANADE_OIDC_ISSUER: "https://keycloak.example.com/realms/corp",
      KANADE_OIDC_CLIENT_ID: "kanade",
      KANADE_OIDC_REDIRECT_BASE_URL: "https://kanade.example.com",
      KANADE_OIDC_ROLE_CLAIM: "realm_access.roles",
      KANADE_OIDC_ROLES: "kanade-admin=admin, kanade-operator=operator,helpdesk=viewer",
      KANADE_OIDC_REFRESH_INTERVAL: "1m",
    });
    expect(c.oidc).toMatchObject({
      roleClaim: "realm_access.roles",
      roles: { "kanade-admin": "admin", "kanade-operator": "operator", helpdesk: "viewer" },
      refreshIntervalMs: 60_000,
    });
    expect(c.oidc?.clientSecret).toBeUndefined();
  });

  it("names the bad field", () => {
    const base = { KANADE_AUTH_STATIC_TOKEN: TOKEN };
    const secretInFile = configError(() => loadBackendConfig({ ...base, KANADE_BACKEND_CONFIG: file(`${ENTRA}\n`.replace("[oidc]\n", '[oidc]\nclient_secret = "x"\n')) }));
    expect(secretInFile.message).toContain("oidc.client_secret: oidc.client_secret is not read from the file; set KANADE_OIDC_CLIENT_SECRET");
    const badRole = configError(() => loadBackendConfig({ ...base, KANADE_BACKEND_CONFIG: file(ENTRA.replace('= "operator"', '= "superuser"')) }));
    expect(badRole.details?.[0]?.path).toBe("oidc.roles.aaaaaaaa-0000-0000-0000-000000000002");
    const noBase = configError(() => loadBackendConfig({ ...base, KANADE_BACKEND_CONFIG: file(ENTRA.replace(/redirect_base_url.*\n/, "")) }));
    expect(noBase.details?.[0]?.path).toBe("KANADE_OIDC_REDIRECT_BASE_URL");
    const noId = configError(() => loadBackendConfig({ ...base, KANADE_BACKEND_CONFIG: file(ENTRA.replace(/client_id.*\n/, "")) }));
    expect(noId.details?.[0]?.path).toBe("KANADE_OIDC_CLIENT_ID");
    const noIssuer = configError(() => loadBackendConfig({ ...base, KANADE_BACKEND_CONFIG: file(ENTRA.replace(/issuer.*\n/, "")) }));
    expect(noIssuer.details?.[0]?.path).toBe("oidc.issuer");
    const plainHttp = configError(() => loadBackendConfig({ ...base, KANADE_BACKEND_CONFIG: file(ENTRA.replace("https://login", "http://login")) }));
    expect(plainHttp.message).toMatch(/^oidc\.issuer: the issuer must use https:\/\//);
    const noRoles = configError(() => loadBackendConfig({ ...base, KANADE_BACKEND_CONFIG: file(ENTRA.replace(/\[oidc\.roles\][\s\S]*$/, "")) }));
    expect(noRoles.details?.[0]?.path).toBe("KANADE_OIDC_ROLES");
    const badPair = configError(() =>
      loadBackendConfig({ ...base, KANADE_OIDC_ISSUER: "https://idp.example.com", KANADE_OIDC_CLIENT_ID: "k", KANADE_OIDC_REDIRECT_BASE_URL: "https://k.example.com", KANADE_OIDC_ROLES: "admins" }),
    );
    expect(badPair.message).toContain('KANADE_OIDC_ROLES: expected claim-value=role pairs (admin, operator or viewer) separated by commas, got "admins"');
    const badInterval = configError(() => loadBackendConfig({ ...base, KANADE_BACKEND_CONFIG: file(ENTRA), KANADE_OIDC_REFRESH_INTERVAL: "0s" }));
    expect(badInterval.details?.[0]?.path).toBe("KANADE_OIDC_REFRESH_INTERVAL");
    // Loopback http is fine: a provider on this machine.
    expect(loadBackendConfig({ ...base, KANADE_OIDC_ISSUER: "http://127.0.0.1:9000", KANADE_OIDC_CLIENT_ID: "k", KANADE_OIDC_REDIRECT_BASE_URL: "http://127.0.0.1:8080", KANADE_OIDC_ROLES: "a=admin" }).oidc?.issuer).toBe("http://127.0.0.1:9000");
  });
  it("maps claim values to permission groups from the file or KANADE_OIDC_PERM_GROUPS, naming a bad entry", () => {
    const fromFile = loadBackendConfig({ KANADE_AUTH_STATIC_TOKEN: TOKEN, KANADE_BACKEND_CONFIG: file(`${ENTRA}\n[oidc.perm_groups]\n"osaka-staff" = ["helpdesk-osaka"]\n`) });
    expect(fromFile.oidc?.permGroups).toEqual({ "osaka-staff": ["helpdesk-osaka"] });
    const fromEnv = loadBackendConfig({ KANADE_AUTH_STATIC_TOKEN: TOKEN, KANADE_BACKEND_CONFIG: file(ENTRA), KANADE_OIDC_PERM_GROUPS: "osaka-staff=helpdesk-osaka|printers, kyoto=helpdesk-kyoto" });
    expect(fromEnv.oidc?.permGroups).toEqual({ "osaka-staff": ["helpdesk-osaka", "printers"], kyoto: ["helpdesk-kyoto"] });
    expect(loadBackendConfig({ KANADE_AUTH_STATIC_TOKEN: TOKEN, KANADE_BACKEND_CONFIG: file(ENTRA) }).oidc?.permGroups).toBeUndefined();
    const bad = configError(() => loadBackendConfig({ KANADE_AUTH_STATIC_TOKEN: TOKEN, KANADE_BACKEND_CONFIG: file(ENTRA), KANADE_OIDC_PERM_GROUPS: "osaka-staff=Bad Name" }));
    expect(bad.message).toContain('KANADE_OIDC_PERM_GROUPS: expected claim-value=group[|group…] pairs separated by commas, got "osaka-staff=Bad Name"');
    const badFile = configError(() => loadBackendConfig({ KANADE_AUTH_STATIC_TOKEN: TOKEN, KANADE_BACKEND_CONFIG: file(`${ENTRA}\n[oidc.perm_groups]\n"osaka-staff" = ["Bad Name"]\n`) }));
    expect(badFile.message).toContain("oidc.perm_groups");
  });
});
