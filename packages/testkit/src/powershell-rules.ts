/**
 * The house rules every shipped `.ps1` keeps, on top of parsing (powershell-parse.ts): no aliases (a
 * reader, or a host with different aliases, gets the full cmdlet name), no `Invoke-Expression` (a script
 * never runs text it was given as code), `$ErrorActionPreference = 'Stop'` as the first statement after
 * `param()` (a failing cmdlet stops the script instead of carrying on), and every `try` has a `catch`
 * (an error is handled or reported where it happens, never only cleaned up after).
 */
import type { Node } from "web-tree-sitter";
import { allNodes, at, getParser, type PowerShellProblem } from "./powershell-parse.js";

/**
 * Built-in aliases of Windows PowerShell 5.1 and PowerShell 7 (`Get-Alias`), lower case. `sc` is
 * `Set-Content` in 5.1: the service tool must be written `sc.exe`.
 */
const ALIASES = new Set(
  (
    "% ? ac asnp cat cd cfs chdir clc clear clhy cli clp cls clv cnsn compare copy cp cpi cpp curl cvpa dbp del diff dir dnsn ebp " +
    "echo epal epcsv epsn erase etsn exsn fc fhx fl foreach ft fw gal gbp gc gcb gci gcm gcs gdr ghy gi gin gjb gl gm gmo gp gps " +
    "gpv group gsn gsnp gsv gtz gu gv gwmi h history icm iex ihy ii ipal ipcsv ipmo ipsn irm ise iwmi iwr kill lp ls man md " +
    "measure mi mount move mp mv nal ndr ni nmo npssc nsn nv ogv oh popd ps pushd pwd r rbp rcjb rcsn rd rdr ren ri rjb rm rmdir " +
    "rmo rni rnp rp rsn rsnp rujb rv rvpa rwmi sajb sal saps sasv sbp sc scb select set shcm si sl sleep sls sort sp spjb spps " +
    "spsv start stz sujb sv swmi tee trcm type wget where wjb write"
  ).split(" "),
);

const FORBIDDEN_COMMANDS = new Set(["invoke-expression", "iex"]);

const commandName = (node: Node): string | undefined => node.children.find((c) => c?.type === "command_name")?.text;

/** The first statement after comments, `[CmdletBinding()]` and `param()`. */
function firstStatement(root: Node): Node | undefined {
  const list = root.children.find((c) => c?.type === "statement_list");
  return list?.children.find((c): c is Node => c !== null && c.type !== "comment");
}

/** Checks a whole `.ps1` file against the rules above; parse errors are powershell-parse.ts's job. */
export async function checkPowerShellRules(text: string): Promise<PowerShellProblem[]> {
  const parser = await getParser();
  const tree = parser.parse(text.startsWith("\uFEFF") ? text.slice(1) : text);
  if (tree === null) return [{ line: 1, column: 1, message: "parser returned no tree" }];
  try {
    const root = tree.rootNode;
    const problems: PowerShellProblem[] = [];
    const first = firstStatement(root);
    if (first === undefined || !/^\$ErrorActionPreference\s*=\s*['"]Stop['"]$/i.test(first.text.trim())) {
      problems.push(at(first ?? root, "the first statement after param() must be $ErrorActionPreference = 'Stop'"));
    }
    for (const node of allNodes(root)) {
      if (node.type === "command") {
        const name = commandName(node)?.toLowerCase();
        if (name === undefined) continue;
        if (FORBIDDEN_COMMANDS.has(name)) problems.push(at(node, `${commandName(node)} runs text as code; call the command directly`));
        else if (ALIASES.has(name)) problems.push(at(node, `alias "${commandName(node)}": write the full command name`));
      } else if (node.type === "try_statement" && !node.children.some((c) => c?.type === "catch_clauses")) {
        problems.push(at(node, "try without catch: handle or report the error where it happens"));
      }
    }
    return problems.sort((a, b) => a.line - b.line || a.column - b.column);
  } finally {
    tree.delete();
  }
}
