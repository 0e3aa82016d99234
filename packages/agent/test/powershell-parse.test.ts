/**
 * CI smoke gate: every PowerShell text we ship parses (tree-sitter-powershell via web-tree-sitter,
 * no pwsh needed). A pass means "structurally sane", not "PowerShell accepts it"; see
 * packages/testkit/src/powershell-parse.ts for what the grammar misses and its false positives.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { checkPowerShell, formatPowerShellProblems } from "@kanade/testkit";
import { powershellLauncher } from "../src/exec/launcher.js";
import { checkPowerShellRules } from "@kanade/testkit";
import { HELPER_SCRIPT } from "../src/perf/windows-helper.js";
import { PROCESS_TABLE_QUERY, startTimeQuery } from "../src/platform/windows-processes.js";
import { windowsEventsQuery } from "../src/platform/windows-events.js";
import { RELAY_DEFAULTS, relayScript } from "../src/platform/klp-relay-script.js";

const here = (rel: string): string => fileURLToPath(new URL(rel, import.meta.url));
const REPO = here("../../../");
const SCRIPTS_DIR = here("../../../scripts/");
const CONFIG_JOBS_DIR = here("../../../configs/jobs/");
const EXAMPLES_DIR = here("../../../examples/");
const EXAMPLE_JOBS_DIR = here("../../../examples/jobs/");

/** Files under `dir` (recursively unless `recursive` is false) whose names match `pattern`, sorted. */
function filesUnder(dir: string, pattern: RegExp, recursive = true): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive, withFileTypes: true })
    .filter((e) => e.isFile() && pattern.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

const PS_FILE = /\.ps1$/i;
const YAML_FILE = /\.ya?ml$/i;
const label = (file: string): string => (file.startsWith(REPO) ? relative(REPO, file) : file);

async function expectParses(name: string, text: string): Promise<void> {
  const result = await checkPowerShell(text);
  expect(result.problems, formatPowerShellProblems(name, result.problems)).toEqual([]);
  expect(result.ok).toBe(true);
}

interface InlinePowerShell {
  name: string;
  script: string;
}

/** Inline `execute.script` bodies of job manifests whose shell is powershell or pwsh. */
function inlinePowerShellIn(files: string[]): InlinePowerShell[] {
  const found: InlinePowerShell[] = [];
  for (const file of files) {
    const doc: unknown = parseYaml(readFileSync(file, "utf8"));
    if (typeof doc !== "object" || doc === null) continue;
    const execute: unknown = (doc as Record<string, unknown>).execute;
    if (typeof execute !== "object" || execute === null) continue;
    const { shell, script } = execute as Record<string, unknown>;
    if ((shell === "powershell" || shell === "pwsh") && typeof script === "string") {
      found.push({ name: `${label(file)} (execute.script)`, script });
    }
  }
  return found;
}

describe("shipped .ps1 files parse", () => {
  const repoScripts = filesUnder(SCRIPTS_DIR, PS_FILE);

  it("finds the repo's scripts (guards against an empty glob)", () => {
    expect(repoScripts.map(label)).toContain(join("scripts", "deploy", "backend.ps1"));
  });

  it.each(repoScripts.map((f) => [label(f), f]))("%s", async (name, file) => {
    await expectParses(name, readFileSync(file, "utf8"));
  });

  // The repo's own examples; their absence must fail, not skip.
  const exampleScripts = filesUnder(EXAMPLES_DIR, PS_FILE);
  describe("examples", () => {
    it("finds the example scripts", () => {
      expect(exampleScripts.length).toBeGreaterThan(0);
    });
    it.each(exampleScripts.map((f) => [label(f), f]))("%s", async (name, file) => {
      await expectParses(name, readFileSync(file, "utf8"));
    });
  });
});

describe("inline PowerShell in job manifests parses", () => {
  const inline = inlinePowerShellIn([
    ...filesUnder(CONFIG_JOBS_DIR, YAML_FILE),
    ...filesUnder(EXAMPLE_JOBS_DIR, YAML_FILE, false),
  ]);

  it("finds the inline examples (guards against an empty scan)", () => {
    expect(inline.map((i) => i.name).some((n) => n.includes("cleanup-disk-temp.yaml"))).toBe(true);
  });

  it.each(inline.map((i) => [i.name, i.script]))("%s", async (name, script) => {
    await expectParses(name, script);
  });
});

describe("PowerShell the agent generates parses", () => {
  const paths = [
    "C:\\ProgramData\\Kanade\\agent\\agent-scripts\\u\\kanade-u.ps1",
    "C:\\Program Files\\Kanade\\agent scripts\\my script.ps1",
    "C:\\Users\\O'Brien\\scripts\\kanade-x.ps1",
    "C:\\ProgramData\\Kanade\\agent\\agent-scripts\\x\\kanade-日本.ps1",
    "C:\\Users\\O''Brien\\My Scripts\\$x `y $(z) @{a} 日本語 ü.ps1",
    "\\\\server\\share\\it's here\\'quoted'.ps1",
  ];

  it.each(paths)("launcher for %s", async (path) => {
    // stage.ts writes the launcher with a UTF-8 BOM.
    await expectParses(`launcher(${path})`, `\uFEFF${powershellLauncher(path)}`);
  });

  it("would catch a launcher that forgot to double the single quote", async () => {
    const naive = powershellLauncher("C:\\Users\\O'Brien\\x.ps1").replace("O''Brien", "O'Brien");
    expect((await checkPowerShell(naive)).ok).toBe(false);
  });

  it("the Windows perf helper script (parses and keeps the house rules)", async () => {
    await expectParses("windows-helper HELPER_SCRIPT", HELPER_SCRIPT);
    expect(await checkPowerShellRules(HELPER_SCRIPT)).toEqual([]);
  });

  it("the Windows KLP relay script (parses and keeps the house rules; more in klp-relay-script.test.ts)", async () => {
    const relay = relayScript({ pipe: "\\\\.\\pipe\\kanade-agent", ...RELAY_DEFAULTS });
    await expectParses("klp-relay-script relayScript", relay);
    expect(await checkPowerShellRules(relay)).toEqual([]);
  });

  it("the Windows process queries the orphan reaper runs", async () => {
    await expectParses("windows-processes PROCESS_TABLE_QUERY", PROCESS_TABLE_QUERY);
    await expectParses("windows-processes startTimeQuery", startTimeQuery(4242));
    await expectParses("windows-events windowsEventsQuery", windowsEventsQuery(new Date("2026-01-02T03:04:05Z")));
  });
});

describe("the gate can fail", () => {
  const invalid: { name: string; text: string; line: number; message: RegExp }[] = [
    { name: "unclosed brace", text: "if ($true) {\n  Write-Output 'x'\n", line: 2, message: /missing "}"/ },
    { name: "unterminated string", text: "Write-Output 'ok'\nWrite-Output \"never closed\n", line: 2, message: /syntax error/ },
    { name: "unterminated here-string", text: "$s = @\"\nbody\n", line: 1, message: /syntax error|missing/ },
    { name: "try without catch or finally", text: "Write-Output 1\ntry {\n  Write-Output 2\n}\n", line: 2, message: /try block without catch or finally/ },
    { name: "empty try", text: "try {}\n", line: 1, message: /try block without catch or finally/ },
    { name: "stray closing brace", text: "Write-Output 1\n}\n", line: 2, message: /syntax error/ },
    { name: "function with no name (hidden MISSING node)", text: "function {\n}\n", line: 1, message: /syntax error/ },
  ];

  it.each(invalid)("flags $name", async ({ name, text, line, message }) => {
    const result = await checkPowerShell(text);
    expect(result.ok, name).toBe(false);
    expect(result.problems.length).toBeGreaterThan(0);
    const first = result.problems[0];
    expect(first?.line).toBe(line);
    expect(first?.message).toMatch(message);
    expect(first?.column).toBeGreaterThanOrEqual(1);
  });

  it("accepts a grammar-friendly script using the common constructs", async () => {
    const valid = [
      "[CmdletBinding(SupportsShouldProcess)]",
      "param(",
      "    [Parameter(Mandatory)][ValidateSet('a', 'b')][string]$Mode,",
      "    [string]$Dir = \"$env:ProgramFiles\\Kanade\"",
      ")",
      "$ErrorActionPreference = 'Stop'",
      "$h = @{ Path = \"$Dir\\x.txt\"; Force = $true }",
      "$text = @\"",
      "mode=$Mode",
      "\"@",
      "try {",
      "    if ($PSCmdlet.ShouldProcess($Dir)) { Set-Content @h -Value $text }",
      "} catch [System.IO.IOException] {",
      "    Write-Warning $_.Exception.Message",
      "} finally {",
      "    Write-Output 'done'",
      "}",
      "switch ($Mode) {",
      "    'a' { exit 0 }",
      "    default { exit 1 }",
      "}",
      "",
    ].join("\r\n");
    await expectParses("valid sample", valid);
  });
});
