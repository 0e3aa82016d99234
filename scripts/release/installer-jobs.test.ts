/**
 * Every shipped installer job manifest is a valid manifest, runs as system and waits for approval; the
 * client's install script (scripts/deploy/client.ps1, shipped alone) in its pure parts.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseManifestYaml } from "@kanade/protocol";

const DIR = fileURLToPath(new URL("../../configs/jobs/installers/", import.meta.url));
const files = readdirSync(DIR).filter((f) => f.endsWith(".yaml")).sort();

describe("configs/jobs/installers", () => {
  it("has the backend and both broker installers", () => {
    expect(files).toEqual(["install-kanade-backend.yaml", "install-kanade-client-linux.yaml", "install-kanade-client.yaml", "install-kanade-nats-linux.yaml", "install-kanade-nats.yaml"]);
  });

  it.each(files)("%s is a valid script_object job that needs approval and runs as system", (file) => {
    const parsed = parseManifestYaml(readFileSync(join(DIR, file), "utf8"));
    expect(parsed.ok ? [] : parsed.issues).toEqual([]);
    if (!parsed.ok) return;
    expect(parsed.manifest.require_approval).toBe(true);
    expect(parsed.manifest.execute.run_as).toBe("system");
    expect(parsed.manifest.execute.script_object).toMatch(/^deploy-[a-z-]+\/\S+$/);
  });
});

describe("install-kanade-client", () => {
  const script = readFileSync(fileURLToPath(new URL("../../scripts/deploy/client.ps1", import.meta.url)), "utf8");
  const parsed = parseManifestYaml(readFileSync(join(DIR, "install-kanade-client.yaml"), "utf8"));

  it("runs deploy-client as a PowerShell script object and turns its JSON line into inventory facts", () => {
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    expect(parsed.manifest.execute.shell).toBe("powershell");
    expect(parsed.manifest.execute.script_object).toBe(`deploy-client/${parsed.manifest.version}`);
    expect(parsed.manifest.inventory?.display?.map((d) => d.field)).toEqual(["version", "path"]);
    expect(script).toContain("Write-Output (@{ version = $version; path = $target; sha256 = $actual } | ConvertTo-Json -Compress)");
  });

  it("ships with empty knobs, downloads the kanade-client app package and checks its digest before touching the installed copy", () => {
    for (const knob of ["AgentSourceUrl", "AgentSourceVersion", "AgentSourceSha256", "AgentSourceAuthToken"]) expect(script).toMatch(new RegExp(`^\\$${knob} = ''`, "m"));
    expect(script).toContain('"$($AgentSourceUrl.TrimEnd(\'/\'))/api/app-packages/kanade-client/$AgentSourceVersion"');
    const check = script.indexOf("if ($actual -ne $AgentSourceSha256)");
    const install = script.indexOf("Install-ClientFile -From $from");
    expect(check).toBeGreaterThan(0);
    expect(install).toBeGreaterThan(check);
    // Installed by renames (a running client keeps the old file open), and started at every sign-in.
    expect(script).toContain('Move-Item -LiteralPath $next -Destination $target -Force');
    expect(script).toContain("$RunKey = 'HKLM:\\Software\\Microsoft\\Windows\\CurrentVersion\\Run'");
    expect(script).toContain(`-Value ('"' + $target + '"')`);
  });
});
