/**
 * CI rule set for every PowerShell file we ship (scripts/ and configs/): no aliases, no
 * Invoke-Expression, `$ErrorActionPreference = 'Stop'` first, every try has a catch. Parsing itself is
 * checked by packages/agent/test/powershell-parse.test.ts.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { checkPowerShellRules, formatPowerShellProblems } from "@kanade/testkit";

const REPO = fileURLToPath(new URL("../../", import.meta.url));

function ps1Under(dir: string): string[] {
  const abs = join(REPO, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.ps1$/i.test(e.name))
    .map((e) => relative(REPO, join(e.parentPath, e.name)))
    .sort();
}

const shipped = [...ps1Under("scripts"), ...ps1Under("configs")];

describe("shipped .ps1 files keep the house rules", () => {
  it("finds every deploy and undeploy script (guards against an empty glob)", () => {
    for (const role of ["agent", "backend", "nats"]) expect(shipped).toContain(join("scripts", "deploy", `${role}.ps1`));
    for (const role of ["agent", "backend", "nats", "client"]) expect(shipped).toContain(join("scripts", "undeploy", `${role}.ps1`));
  });

  it.each(shipped)("%s", async (file) => {
    const problems = await checkPowerShellRules(readFileSync(join(REPO, file), "utf8"));
    expect(problems, formatPowerShellProblems(file, problems)).toEqual([]);
  });
});

describe("the rules can fail", () => {
  const head = "[CmdletBinding()]\nparam([string]$X = '')\n$ErrorActionPreference = 'Stop'\n";
  const cases: { name: string; text: string; message: RegExp; line: number }[] = [
    { name: "an alias", text: `${head}gci C:\\ | Out-Null\n`, message: /alias "gci"/, line: 4 },
    { name: "sc, which is Set-Content in 5.1", text: `${head}sc query KanadeAgent\n`, message: /alias "sc"/, line: 4 },
    { name: "an alias inside a pipeline", text: `${head}Get-ChildItem | % { $_ }\n`, message: /alias "%"/, line: 4 },
    { name: "Invoke-Expression", text: `${head}Invoke-Expression $X\n`, message: /runs text as code/, line: 4 },
    { name: "iex", text: `${head}iex $X\n`, message: /runs text as code/, line: 4 },
    { name: "try with only finally", text: `${head}try {\n  Get-Item C:\\\n} finally {\n  Write-Output 1\n}\n`, message: /try without catch/, line: 4 },
    { name: "no ErrorActionPreference", text: "param([string]$X = '')\nWrite-Output $X\n", message: /ErrorActionPreference/, line: 2 },
    { name: "ErrorActionPreference set late", text: "Write-Output 1\n$ErrorActionPreference = 'Stop'\n", message: /ErrorActionPreference/, line: 1 },
    { name: "ErrorActionPreference not Stop", text: "$ErrorActionPreference = 'Continue'\n", message: /ErrorActionPreference/, line: 1 },
  ];
  it.each(cases)("flags $name", async ({ text, message, line }) => {
    const problems = await checkPowerShellRules(text);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]?.message).toMatch(message);
    expect(problems[0]?.line).toBe(line);
  });

  it("accepts full names, .exe tools, & calls and try/catch/finally", async () => {
    const ok = `<# help #>\n${head}sc.exe query KanadeAgent | Out-Null\n& $X install\ntry {\n  Get-Item C:\\\n} catch {\n  Write-Warning $_\n} finally {\n  Write-Output 1\n}\n`;
    expect(await checkPowerShellRules(ok)).toEqual([]);
  });
});
