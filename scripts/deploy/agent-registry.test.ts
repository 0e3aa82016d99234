/**
 * deploy/agent.ps1 and the Windows agent agree on the registry (`HKLM:\SOFTWARE\Kanade\agent`): every
 * value the agent reads is one the script stores, and the key is locked to SYSTEM + Administrators before
 * the service first starts (the agent writes its own AgentSeed there). Text checks: no Windows here.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  AGENT_REGISTRY_KEY,
  ENROLL_CREDS_VALUE,
  ENROLL_TOKEN_VALUE,
  NATS_CA_VALUE,
  NATS_TOKEN_VALUE,
} from "../../packages/agent/src/platform/windows-registry.js";

const read = (rel: string): string => readFileSync(fileURLToPath(new URL(rel, import.meta.url)), "utf8");
const deploy = read("./agent.ps1");
const common = read("../lib/kanade-common.ps1");

/** The body of `function <name> { … }` up to the next top-level function. */
function functionBody(text: string, name: string): string {
  const start = text.indexOf(`function ${name} {`);
  expect(start, `function ${name}`).toBeGreaterThanOrEqual(0);
  const next = text.indexOf("\nfunction ", start + 1);
  return text.slice(start, next < 0 ? undefined : next);
}

describe("deploy/agent.ps1 and the agent's registry reads", () => {
  it("stores every value the agent reads, under the key it reads", () => {
    expect(AGENT_REGISTRY_KEY).toBe("HKLM\\SOFTWARE\\Kanade\\agent");
    for (const name of [NATS_TOKEN_VALUE, ENROLL_TOKEN_VALUE, NATS_CA_VALUE, ENROLL_CREDS_VALUE]) {
      expect(deploy, name).toMatch(new RegExp(`Set-KanadeSecret -Role 'agent' -Name '${name}' -Value \\$\\w+`));
    }
    // The two paths name the copies in the data folder, not the operator's originals.
    expect(deploy).toMatch(/\$caPath = Join-Path \$dataDir 'ca\.pem'[\s\S]*-Name 'NatsCa' -Value \$caPath/);
    expect(deploy).toMatch(/\$credsPath = Join-Path \$dataDir 'enroll\.creds'[\s\S]*-Name 'EnrollCreds' -Value \$credsPath/);
    expect(deploy).toMatch(/\[string\]\$EnrollCreds = ''/);
  });

  it("locks the key down unconditionally, before the service first starts", () => {
    const lock = deploy.search(/^ {4}\$registryKey = New-KanadePrivateRegistryKey -Role 'agent'$/m);
    expect(lock).toBeGreaterThan(0);
    expect(lock).toBeLessThan(deploy.indexOf("Install-KanadeService -Name $service"));
    expect(lock).toBeLessThan(deploy.indexOf("Start-Service -Name $service"));
  });

  it("means SYSTEM + Administrators only, inheritance cut, by New-KanadePrivateRegistryKey", () => {
    expect(functionBody(common, "New-KanadePrivateRegistryKey")).toMatch(/Set-KanadePrivateAcl -Path \$key/);
    expect(functionBody(common, "Set-KanadeSecret")).toMatch(/New-KanadePrivateRegistryKey -Role \$Role/);
    const acl = functionBody(common, "Set-KanadePrivateAcl");
    expect(acl).toContain("System.Security.AccessControl.RegistrySecurity");
    expect(acl).toContain("foreach ($sid in @($script:SystemSid, $script:AdministratorsSid))");
    expect(acl).toContain("$acl.SetAccessRuleProtection($true, $false)");
    expect(common).toContain("$script:SystemSid = 'S-1-5-18'");
    expect(common).toContain("$script:AdministratorsSid = 'S-1-5-32-544'");
  });
});
