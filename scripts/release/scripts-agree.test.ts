/**
 * The deploy and undeploy scripts name the services, programs and folders literally (they ship alone);
 * this checks they say what services.ts — and so the generated WinSW XML — says.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { SERVICE_ROLES, SERVICES } from "./services.js";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const read = (...p: string[]): string => readFileSync(join(REPO, ...p), "utf8");

describe.each(SERVICE_ROLES)("%s scripts agree with services.ts", (role) => {
  const svc = SERVICES[role];
  const deploy = read("scripts/deploy", `${role}.ps1`);
  const undeploy = read("scripts/undeploy", `${role}.ps1`);

  it("name the service and its program", () => {
    for (const text of [deploy, undeploy]) {
      expect(text).toMatch(new RegExp(`\\$(service|ServiceName)\\s*=\\s*'${svc.id}'`));
      expect(text).toContain(`'${svc.executable}'`);
    }
  });

  it("install and remove the wrapper, its XML and its .config", () => {
    for (const text of [deploy, undeploy]) {
      for (const suffix of [".exe", ".xml", ".exe.config"]) expect(text).toContain(`"$${/ServiceName =/.test(text) ? "ServiceName" : "service"}${suffix}"`);
    }
  });

  it("use the role's folder and registry key", () => {
    expect(deploy).toContain(`Join-Path $script:KanadeProgramData '${role}'`);
    expect(undeploy).toMatch(new RegExp(`KanadeProgramData '${role}'`));
    expect(undeploy).toContain(`"$script:KanadeRegistryRoot\\${role}"`);
  });
});
