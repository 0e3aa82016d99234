/** Every shipped installer job manifest is a valid manifest, runs as system and waits for approval. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseManifestYaml } from "@kanade/protocol";

const DIR = fileURLToPath(new URL("../../configs/jobs/installers/", import.meta.url));
const files = readdirSync(DIR).filter((f) => f.endsWith(".yaml")).sort();

describe("configs/jobs/installers", () => {
  it("has the backend and both broker installers", () => {
    expect(files).toEqual(["install-kanade-backend.yaml", "install-kanade-nats-linux.yaml", "install-kanade-nats.yaml"]);
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
