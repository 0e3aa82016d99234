/** Human and machine output: aligned tables, `--json`, compact durations, optional colour. */
import { createInterface } from "node:readline/promises";
import { formatDuration } from "@kanade/protocol";

/** Where output goes and what the terminal can do; passed to every command so tests can fake it. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** stderr is a terminal: progress lines may be rewritten in place. */
  stderrIsTTY: boolean;
  /** Colour allowed: stdout is a terminal and NO_COLOR is not set. */
  color: boolean;
  /** stdout is a terminal: live views may clear and redraw it. */
  stdoutIsTTY?: boolean;
  /** Asks the operator a question and returns the answer; absent when nobody can answer (stdin or stderr not a terminal). */
  ask?(question: string): Promise<string>;
}

/**
 * A reader that stopped reading (`kanade agents --json | head`) closes the pipe: writing on gets EPIPE.
 * Stop quietly, as `head`'s other writers do, instead of dying with a stack trace; the exit code is 0
 * because nothing failed that the reader wanted.
 */
export function exitOnClosedPipe(stream: NodeJS.WriteStream, exit: (code: number) => void): void {
  stream.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code === "EPIPE" || err.code === "ERR_STREAM_DESTROYED") return exit(0);
    throw err;
  });
}

export function processIo(env: NodeJS.ProcessEnv = process.env): Io {
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== "";
  exitOnClosedPipe(process.stdout, (code) => process.exit(code));
  exitOnClosedPipe(process.stderr, (code) => process.exit(code));
  const interactive = process.stdin.isTTY === true && process.stderr.isTTY === true;
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    stderrIsTTY: process.stderr.isTTY === true,
    color: process.stdout.isTTY === true && !noColor,
    stdoutIsTTY: process.stdout.isTTY === true,
    ...(interactive
      ? {
          ask: async (question: string) => {
            const rl = createInterface({ input: process.stdin, output: process.stderr });
            try {
              return await rl.question(question);
            } finally {
              rl.close();
            }
          },
        }
      : {}),
  };
}

/** Asks a yes/no question; only `y` or `yes` (any case) is yes. */
export async function confirm(io: Io, question: string): Promise<boolean> {
  if (!io.ask) return false;
  return /^\s*y(es)?\s*$/i.test(await io.ask(`${question} [y/N] `));
}

export function printJson(io: Io, value: unknown): void {
  io.out(JSON.stringify(value, null, 2) + "\n");
}

export type Cell = string | number | boolean | null | undefined;

// eslint-disable-next-line no-control-regex -- finding control characters is the point here
const CONTROLS = /[\x00-\x1f\x7f-\x9f]/g;

/**
 * Text from scripts and agents made safe to print in human format: C0 controls, DEL and C1 controls
 * become visible `\x1b`-style text, so output cannot retitle the window, move the cursor or recolour
 * the operator's terminal. Multi-line text keeps \n, \t and the \r of \r\n; `singleLine` escapes
 * those too (table cells, log lines). Backslashes are left as they are, so Windows paths stay
 * readable. `--json` and `--raw` never go through here: they stay byte-exact.
 */
export function escapeTerminal(text: string, opts: { singleLine?: boolean } = {}): string {
  return text.replace(CONTROLS, (c: string, at: number) => {
    if (!opts.singleLine && (c === "\n" || c === "\t" || (c === "\r" && text[at + 1] === "\n"))) return c;
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`;
  });
}

const cellText = (c: Cell): string => (c === null || c === undefined || c === "" ? "-" : escapeTerminal(String(c), { singleLine: true }));

/**
 * Columns separated by two spaces, padded to the widest cell; the last column is not padded so lines
 * carry no trailing blanks. Cells are escaped (escapeTerminal, one line each). `style` may wrap a
 * padded cell in colour without breaking alignment.
 */
export function renderTable(
  headers: readonly string[],
  rows: readonly (readonly Cell[])[],
  style?: (col: number, text: string, padded: string) => string,
): string {
  const texts = rows.map((r) => headers.map((_, i) => cellText(r[i])));
  const widths = headers.map((h, i) => Math.max(h.length, ...texts.map((r) => r[i]!.length)));
  const line = (cells: string[], styled: boolean): string =>
    cells
      .map((c, i) => {
        const padded = i === cells.length - 1 ? c : c.padEnd(widths[i]!);
        return styled && style ? style(i, c, padded) : padded;
      })
      .join("  ");
  return [line([...headers], false), ...texts.map((r) => line(r, true))].join("\n") + "\n";
}

/** `350ms`, `1.2s`, `59.9s`, then `1m30s`-style past a minute. */
export function formatMs(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "-";
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  if (ms < 60_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)}s`;
  return formatDuration(ms);
}

/** First line of a script's output, trimmed, so a table row stays one line. */
export function firstLine(text: string | null | undefined, max = 60): string {
  const line = (text ?? "").replace(/^\s*\n/, "").split(/\r?\n/, 1)[0]?.trim() ?? "";
  return line.length > max ? line.slice(0, max - 1) + "…" : line;
}

const ANSI = { green: "\x1b[32m", red: "\x1b[31m", yellow: "\x1b[33m", dim: "\x1b[2m", reset: "\x1b[0m" } as const;

const STATUS_COLOUR: Record<string, keyof typeof ANSI> = {
  succeeded: "green",
  failed: "red",
  error: "red",
  timed_out: "red",
  killed: "yellow",
  skipped: "yellow",
  not_sent: "red",
  running: "dim",
  pending: "dim",
};

/** A table style that colours the cell in column `statusCol` by its status word, when colour is allowed. */
export function statusStyle(io: Io, statusCol: number): ((col: number, text: string, padded: string) => string) | undefined {
  if (!io.color) return undefined;
  return (col, text, padded) => {
    const colour = col === statusCol ? STATUS_COLOUR[text] : undefined;
    return colour ? `${ANSI[colour]}${padded}${ANSI.reset}` : padded;
  };
}
