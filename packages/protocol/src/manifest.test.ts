import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatIssues, manifestTimeoutSecs, parseManifestYaml } from "./manifest.js";

const examples = join(import.meta.dirname, "../../../examples/jobs");
const read = (f: string): string => readFileSync(join(examples, f), "utf8");

describe("job manifest", () => {
  it("accepts every valid example in examples/jobs", () => {
    const files = readdirSync(examples).filter((f) => f.endsWith(".yaml"));
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) {
      const r = parseManifestYaml(read(f));
      expect(r.ok, `${f}: ${r.ok ? "" : formatIssues(r.issues)}`).toBe(true);
    }
  });

  it("fills defaults: run_as system, cached staleness, 600s timeout", () => {
    const r = parseManifestYaml("id: x\nversion: 1.0.0\nexecute:\n  shell: sh\n  script: echo hi\n");
    if (!r.ok) throw new Error(formatIssues(r.issues));
    expect(r.manifest.execute.run_as).toBe("system");
    expect(r.manifest.staleness).toEqual({ mode: "cached" });
    expect(manifestTimeoutSecs(r.manifest)).toBe(600);
    expect(r.manifest.require_approval).toBe(false);
  });

  it("refuses a timeout longer than 24d (Node would fire such a timer at once)", () => {
    const yaml = (t: string): string => `id: x\nversion: 1.0.0\nexecute:\n  shell: sh\n  script: echo hi\n  timeout: ${t}\n`;
    const r = parseManifestYaml(yaml("30d"));
    expect(r.ok ? "" : formatIssues(r.issues)).toBe("execute.timeout: must be at most 24d");
    const ok = parseManifestYaml(yaml("24d"));
    expect(ok.ok && manifestTimeoutSecs(ok.manifest)).toBe(24 * 86_400);
    const stale = parseManifestYaml(`${yaml("1h")}staleness:\n  mode: strict\n  max_cache_age: 25d\n`);
    expect(stale.ok ? "" : formatIssues(stale.issues)).toBe("staleness.max_cache_age: must be at most 24d");
  });

  const refused: Record<string, string[]> = {
    "two-sources.yaml": ["execute: exactly one of script, script_file, script_object may be set; found script, script_object"],
    "no-source.yaml": ["execute: exactly one of script, script_file, script_object is required (an empty script counts as none)"],
    "bad-version.yaml": ["version: expected a semver version like 1.0.0", "execute.timeout: expected a duration like 30s, 5m, 1h or 2d"],
    "bad-shell.yaml": ["execute.shell: expected one of powershell, pwsh, cmd, sh, bash"],
  };
  for (const [file, expected] of Object.entries(refused)) {
    it(`refuses invalid/${file}, naming each bad field`, () => {
      const r = parseManifestYaml(read(`invalid/${file}`));
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(formatIssues(r.issues).split("\n")).toEqual(expected);
    });
  }

  it("reports YAML syntax errors with a line number", () => {
    const r = parseManifestYaml("id: x\nversion: [1.0\n");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]?.message).toMatch(/YAML syntax error at line \d/);
  });

  it("reports missing required fields and a non-mapping document", () => {
    const r = parseManifestYaml("description: nothing else\n");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => i.path)).toEqual(expect.arrayContaining(["id", "version", "execute"]));
    const list = parseManifestYaml("- a\n- b\n");
    expect(list.ok).toBe(false);
  });

  it("refuses misspelt fields instead of silently using defaults", () => {
    const r = parseManifestYaml("id: x\nversion: 1.0.0\nexecute:\n  shell: sh\n  script: echo\n  timout: 5s\nrequire_aproval: true\n");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(formatIssues(r.issues).split("\n").sort()).toEqual(["execute: unknown field(s): timout", "unknown field(s): require_aproval"]);
  });

  it("explains an unquoted version that YAML read as a number", () => {
    const r = parseManifestYaml("id: x\nversion: 1.0\nexecute:\n  shell: sh\n  script: echo\n");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(formatIssues(r.issues)).toMatch(/^version: expected a semver version like 1\.0\.0 \(quote it/);
  });

  it("refuses a zero timeout and a bad job id", () => {
    const r = parseManifestYaml("id: Bad_ID\nversion: 1.0.0\nexecute:\n  shell: sh\n  script: echo\n  timeout: 0s\n");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => i.path).sort()).toEqual(["execute.timeout", "id"]);
  });
});
