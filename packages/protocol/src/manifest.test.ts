import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MAX_MANIFEST_BYTES, MAX_YAML_ALIASES, MAX_YAML_BLOCK_COLUMNS, MAX_YAML_FLOW_DEPTH, formatIssues, manifestTimeoutSecs, parseManifestYaml, validateManifest, type ManifestParse } from "./manifest.js";

const examples = join(import.meta.dirname, "../../../examples/jobs");
const read = (f: string): string => readFileSync(join(examples, f), "utf8");
const HEAD = "id: x\nversion: 1.0.0\n";
/** The issues as `path: message` lines, or "ok". */
const lines = (r: ManifestParse): string[] => (r.ok ? ["ok"] : formatIssues(r.issues).split("\n"));
const withScript = (script: string): Record<string, unknown> => ({ id: "x", version: "1.0.0", execute: { shell: "sh", script } });

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

  it("refuses job ids that are not NATS KV keys: a trailing dot or `..`", () => {
    for (const id of ["a.", "a..b", ".a"]) {
      const r = parseManifestYaml(`id: "${id}"\nversion: 1.0.0\nexecute:\n  shell: sh\n  script: echo\n`);
      expect(lines(r), id).toEqual(["id: expected a job id like cleanup-disk-temp (at most 64 lowercase letters, digits, _ -, and dots between parts)"]);
    }
    expect(parseManifestYaml("id: office.install\nversion: 1.0.0\nexecute:\n  shell: sh\n  script: echo\n").ok).toBe(true);
  });
});

describe("manifest size", () => {
  it("refuses YAML text over 512 KiB before parsing it, naming the field that holds it", () => {
    const yaml = `${HEAD}execute:\n  shell: sh\n  script: |\n${"    echo padding padding padding\n".repeat(40_000)}`;
    expect(yaml.length).toBeGreaterThan(MAX_MANIFEST_BYTES);
    expect(lines(parseManifestYaml(yaml))).toEqual([
      `execute.script: the manifest is ${Math.ceil(yaml.length / 1024)} KiB; at most 512 KiB (it is stored as one NATS message) — put a large script in a script object`,
    ]);
  });

  it("refuses a JSON manifest whose script is too big, naming execute.script", () => {
    const r = validateManifest(withScript("echo hi\n".repeat(100_000)));
    expect(lines(r)).toEqual(["execute.script: too big: makes the manifest over 512 KiB as JSON, the most a job can store (one NATS message)"]);
  });

  it("measures the JSON that is stored: a script of backslashes doubles, and defaults count", () => {
    const backslashes = `${HEAD}execute:\n  shell: cmd\n  script: |\n    ${"\\".repeat(300 * 1024)}\n`;
    expect(backslashes.length).toBeLessThan(MAX_MANIFEST_BYTES);
    expect(lines(parseManifestYaml(backslashes))[0]).toMatch(/^execute\.script: too big/);
    // Fits as sent; the defaults the schema adds (timeout, run_as, staleness …) push it over.
    const bare = JSON.stringify(withScript("")).length;
    const r = validateManifest(withScript("x".repeat(MAX_MANIFEST_BYTES - bare)));
    expect(JSON.stringify(withScript("x".repeat(MAX_MANIFEST_BYTES - bare))).length).toBe(MAX_MANIFEST_BYTES);
    expect(lines(r)[0]).toMatch(/^execute\.script: too big/);
    const ok = validateManifest(withScript("x".repeat(MAX_MANIFEST_BYTES - bare - 200)));
    expect(ok.ok && Buffer.byteLength(JSON.stringify(ok.manifest))).toBeLessThanOrEqual(MAX_MANIFEST_BYTES);
  });

  it("measures what aliases expand to, not just the text", () => {
    const big = "a".repeat(300 * 1024);
    const yaml = `x-big: &big "${big}"\n${HEAD}description: *big\nexecute:\n  shell: sh\n  script: *big\n`;
    expect(yaml.length).toBeLessThan(MAX_MANIFEST_BYTES);
    expect(lines(parseManifestYaml(yaml))[0]).toMatch(/^(description|execute\.script): too big/);
  });
});

describe("hostile YAML", () => {
  it("refuses an alias bomb with an issue, quickly and without throwing", () => {
    const levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      levels.push(`${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10).fill(`*${prev}`).join(", ")}]`);
    }
    const r = parseManifestYaml(`${levels.join("\n")}\n${HEAD}`);
    expect(lines(r)).toEqual([
      `YAML aliases expand too far (at most ${MAX_YAML_ALIASES} alias uses, counting nested ones): anchors and << merges are fine, alias bombs are not`,
    ]);
  });

  it("reports aliases that cannot be resolved instead of throwing", () => {
    expect(lines(parseManifestYaml(`${HEAD}description: *nowhere\n`))).toEqual([
      "YAML: Unresolved alias (the anchor must be set before the alias): nowhere",
    ]);
    expect(lines(parseManifestYaml(`${HEAD}execute:\n  <<: 5\n  shell: sh\n`))).toEqual(["YAML: Merge sources must be maps or map aliases"]);
    expect(lines(parseManifestYaml(`${HEAD}execute: &e\n  shell: sh\n  script: echo\n  cwd: *e\n`))).toEqual([
      "execute.cwd: contains itself (a recursive YAML alias)",
    ]);
  });

  it("refuses deep nesting before the yaml library recurses into it (100,000 `[` once aborted the process)", () => {
    const deep = [
      "a: " + "[".repeat(10_000) + "]".repeat(10_000),
      "a: " + "[".repeat(100_000) + "]".repeat(100_000),
      "a: " + "{b: ".repeat(100_000) + "}".repeat(100_000),
      "- ".repeat(200_000) + "x",
      "? ".repeat(200_000) + "x",
    ];
    for (const text of deep) {
      expect(lines(parseManifestYaml(text))).toEqual([
        "YAML is nested too deeply at line 1 (a manifest may nest 64 levels of [ ] and { }, and its structure reach column 128)",
      ]);
    }
    const stairs = Array.from({ length: 1_000 }, (_, i) => `${" ".repeat(i)}a:`).join("\n");
    expect(lines(parseManifestYaml(stairs))[0]).toMatch(/^YAML is nested too deeply at line 129 /);
  });

  it("parses nesting right up to those bounds without overflowing the stack", () => {
    const flow = "[".repeat(MAX_YAML_FLOW_DEPTH) + "]".repeat(MAX_YAML_FLOW_DEPTH);
    const shapes = [
      `${"- ".repeat(MAX_YAML_BLOCK_COLUMNS - 1)}a: ${flow}`,
      Array.from({ length: MAX_YAML_BLOCK_COLUMNS }, (_, i) => `${" ".repeat(i)}k${i}:`).join("\n") + ` ${flow}`,
      Array.from({ length: MAX_YAML_BLOCK_COLUMNS / 2 - 1 }, (_, i) => `${" ".repeat(2 * i)}- k${i}:`).join("\n") +
        `\n${" ".repeat(MAX_YAML_BLOCK_COLUMNS - 2)}- ${flow}`,
    ];
    for (const text of shapes) {
      const r = parseManifestYaml(text);
      expect(r.ok).toBe(false);
      expect(formatIssues(r.ok ? [] : r.issues)).not.toMatch(/YAML syntax|YAML is nested|stack/);
    }
  });

  it("never throws, whatever the text", () => {
    let seed = 11;
    const rand = (n: number): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) % n;
    const alphabet = ["id: x", "\n", "  ", ": ", "- ", "&a ", "*a", "<<: ", "[", "]", "{", "}", ",", "'", '"', "!!str ", "!foo ", "? ", "---", "...", "#", "x-a: ", "\t", "\u0000", "%YAML 1.2\n", "|", ">"];
    const texts = Array.from({ length: 3_000 }, () => Array.from({ length: 1 + rand(40) }, () => alphabet[rand(alphabet.length)]).join(""));
    texts.push("[".repeat(100_000), "a:\n".padEnd(200_000, " ") + "b", "- ".repeat(50_000) + "x", "__proto__: {id: x}\n");
    for (const t of texts) {
      const r = parseManifestYaml(t);
      expect(r.ok ? true : r.issues.length > 0, JSON.stringify(t)).toBe(true);
    }
    for (const body of [null, 42, "text", [], [1], { __proto__: { id: "x" } }, Object.create(null) as object]) {
      expect(validateManifest(body).ok).toBe(false);
    }
  });
});

describe("YAML that operators write", () => {
  const shared = `x-defaults: &defaults\n  shell: sh\n  timeout: 30s\n  run_as: system\nx-notes: kept in the YAML, not in the job\n`;

  it("merges << keys, with the job's own keys winning", () => {
    const r = parseManifestYaml(`${shared}${HEAD}execute:\n  <<: *defaults\n  timeout: 45s\n  script: echo hi\n`);
    if (!r.ok) throw new Error(formatIssues(r.issues));
    expect(r.manifest.execute).toEqual({ shell: "sh", timeout: "45s", run_as: "system", script: "echo hi" });
  });

  it("accepts top-level x- fields and leaves them out of the job", () => {
    const r = parseManifestYaml(`${shared}${HEAD}execute:\n  shell: sh\n  script: echo hi\n`);
    if (!r.ok) throw new Error(formatIssues(r.issues));
    expect(Object.keys(r.manifest).filter((k) => k.startsWith("x-"))).toEqual([]);
    const json = validateManifest({ ...withScript("echo"), "x-owner": "ops" });
    expect(json.ok && Object.keys(json.manifest)).not.toContain("x-owner");
  });

  it("accepts every manifest shown in docs/reference/manifest.md", () => {
    const doc = readFileSync(join(import.meta.dirname, "../../../docs/reference/manifest.md"), "utf8");
    const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.some((b) => b.includes("<<: *posix"))).toBe(true);
    for (const b of blocks) expect(lines(parseManifestYaml(b)), b).toEqual(["ok"]);
  });

  it("still refuses other unknown fields by name, and x- fields below the top level", () => {
    const r = parseManifestYaml(`${shared}${HEAD}X-upper: 1\nextra: 2\nexecute:\n  shell: sh\n  script: echo\n  x-inner: 3\n`);
    expect(lines(r).sort()).toEqual(["execute: unknown field(s): x-inner", "unknown field(s): X-upper, extra"]);
  });
});
