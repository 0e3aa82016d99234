import { copyFileSync, cpSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir, type TempDir } from "@kanade/testkit";
import { parse } from "yaml";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EXAMPLES, cliErrorOf } from "../test/fixtures.js";
import { exitCodeFor } from "./errors.js";
import { expandPaths, inlineScriptFile, loadManifest, loadManifestsOrThrow } from "./manifest-files.js";

let dir: TempDir;
beforeEach(() => {
  dir = tempDir("kanade-cli-manifests-");
  cpSync(EXAMPLES, dir.path, { recursive: true });
});
afterEach(() => dir.remove());

describe("script_file inlining", () => {
  it("replaces script_file with the script's text and keeps the rest of the manifest", () => {
    const outcome = loadManifest(dir.join("install-kanade-client.yaml"));
    if (!outcome.ok) throw new Error(JSON.stringify(outcome.issues));
    const sent = parse(outcome.loaded.yaml) as { execute: Record<string, unknown>; inventory: unknown };
    expect(sent.execute.script_file).toBeUndefined();
    expect(sent.execute.script).toContain("[CmdletBinding()]");
    expect(sent.execute.shell).toBe("powershell");
    expect(sent.inventory).toEqual(parse(`display:\n  - { field: version, label: Version }\n  - { field: path, label: Install path }\nsummary:\n  - { field: version, label: Client version }\n`));
    expect(outcome.loaded.manifest.execute.script).toBe(sent.execute.script);
  });

  it("reads the script relative to the YAML, not the working directory", () => {
    const sub = dir.join("nested");
    mkdirSync(join(sub, "scripts"), { recursive: true });
    copyFileSync(dir.join("install-kanade-client.yaml"), join(sub, "job.yaml"));
    writeFileSync(join(sub, "scripts", "install-kanade-client.ps1"), "Write-Output 'nested'\n");
    const outcome = loadManifest(join(sub, "job.yaml"));
    expect(outcome.ok && outcome.loaded.manifest.execute.script).toBe("Write-Output 'nested'\n");
  });

  it("leaves a manifest without script_file untouched", () => {
    const text = "id: a\nversion: 1.0.0\nexecute:\n  shell: sh\n  script: echo a\n";
    expect(inlineScriptFile(text, dir.path)).toEqual({ yaml: text });
  });

  it("reports a missing script file at execute.script_file", () => {
    writeFileSync(dir.join("missing.yaml"), "id: a\nversion: 1.0.0\nexecute:\n  shell: sh\n  script_file: nope.sh\n");
    const err = cliErrorOf(() => loadManifestsOrThrow([dir.join("missing.yaml")]));
    expect(exitCodeFor(err)).toBe(2);
    expect(err.details).toEqual([{ path: `${dir.join("missing.yaml")}: execute.script_file`, message: "cannot read nope.sh (ENOENT)" }]);
  });
});

describe("loading manifests", () => {
  it("expands a directory to its YAML files, sorted and not recursive", () => {
    expect(expandPaths([dir.path]).map((f) => f.slice(dir.path.length + 1))).toEqual([
      "cleanup-disk-temp.yaml",
      "hello.yaml",
      "install-kanade-backend.yaml",
      "install-kanade-client.yaml",
      "long-running.yaml",
      "os-release-inventory.yaml",
    ]);
  });

  it("names a path that does not exist", () => {
    const err = cliErrorOf(() => expandPaths([dir.join("nope.yaml")]));
    expect(err.details[0]).toEqual({ path: dir.join("nope.yaml"), message: "no such file or directory" });
  });

  it("reports every problem of every invalid example with its file and field", () => {
    const err = cliErrorOf(() => loadManifestsOrThrow([dir.join("hello.yaml"), dir.join("invalid")]));
    expect(exitCodeFor(err)).toBe(2);
    expect(err.message).toMatch(/nothing was sent/);
    const paths = err.details.map((d) => d.path.slice(dir.path.length + 1));
    expect(paths).toEqual([
      "invalid/bad-shell.yaml: execute.shell",
      "invalid/bad-version.yaml: version",
      "invalid/bad-version.yaml: execute.timeout",
      "invalid/no-source.yaml: execute",
      "invalid/two-sources.yaml: execute",
    ]);
    expect(err.details[3]?.message).toMatch(/empty script counts as none/);
  });
});
