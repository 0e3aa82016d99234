/** The simulator "runs" only `sh` scripts made of echo lines, in-process, so 5,000 agents fit one machine. */
import type { Command } from "@kanade/protocol/wire";
import type { Executor, RunOutcome } from "../exec/executor.js";

export const SIMULATOR_ONLY_ECHO = "simulator runs only echo scripts";

/** The echoed text of each line, or undefined when the script is anything but echo lines. */
export function echoOutput(script: string): string | undefined {
  const out: string[] = [];
  for (const raw of script.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const m = /^echo(?:\s+(.*))?$/.exec(line);
    if (!m) return undefined;
    const arg = m[1] ?? "";
    // Refuse anything a real shell would expand: the simulator must never pretend to run it.
    if (/[`$;&|<>\\]/.test(arg)) return undefined;
    out.push(unquote(arg));
  }
  return out.map((l) => `${l}\n`).join("");
}

/** Shell-like word splitting for echo's arguments: quotes keep spaces, words are joined by one space. */
function unquote(arg: string): string {
  const words: string[] = [];
  for (const m of arg.matchAll(/(?:"([^"]*)"|'([^']*)'|([^\s"']+))+/g)) {
    words.push(m[0].replace(/"([^"]*)"|'([^']*)'/g, (_all, dq: string | undefined, sq: string | undefined) => dq ?? sq ?? ""));
  }
  return words.join(" ");
}

export function echoExecutor(): Executor {
  // Thousands of simulated PCs run the same script: work its output out once (the last script seen).
  let last: { script: string; output: string | undefined } | undefined;
  const outputOf = (script: string): string | undefined => {
    if (last?.script !== script) last = { script, output: echoOutput(script) };
    return last.output;
  };
  return {
    unsupportedReason(cmd: Command) {
      if (cmd.shell !== "sh" || cmd.script === undefined || outputOf(cmd.script) === undefined) return SIMULATOR_ONLY_ECHO;
      return undefined;
    },
    async run(ctx): Promise<RunOutcome> {
      return {
        status: "succeeded",
        exitCode: 0,
        stdout: outputOf(ctx.cmd.script ?? "") ?? "",
        stderr: "",
        stdoutTruncated: false,
        stderrTruncated: false,
      };
    },
  };
}
