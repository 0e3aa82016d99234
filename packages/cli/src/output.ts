/** Human and machine output: aligned tables, `--json`, compact durations, optional colour. */
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
}

export function processIo(env: NodeJS.ProcessEnv = process.env): Io {
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== "";
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    stderrIsTTY: process.stderr.isTTY === true,
    color: process.stdout.isTTY === true && !noColor,
    stdoutIsTTY: process.stdout.isTTY === true,
  };
}

export function printJson(io: Io, value: unknown): void {
  io.out(JSON.stringify(value, null, 2) + "\n");
}

export type Cell = string | number | boolean | null | undefined;

const cellText = (c: Cell): string => (c === null || c === undefined || c === "" ? "-" : String(c));

/**
 * Columns separated by two spaces, padded to the widest cell; the last column is not padded so lines
 * carry no trailing blanks. `style` may wrap a padded cell in colour without breaking alignment.
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
