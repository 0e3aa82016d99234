/** Tick steps and labels for the perf charts: round times in local time, round binary sizes. */

/** Time-axis steps in seconds: 1 s … 6 h, so ticks land on round local times. */
export const TIME_INCREMENTS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600];

/**
 * Formats a tick (Unix seconds) in the viewer's time zone: `14:05` for minute steps, `14:05:30` below a
 * minute. `lang` picks the clock style.
 */
export function timeTickFormat(lang: string): (unixSecs: number, step?: number) => string {
  const minutes = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit" });
  const seconds = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  return (s, step = 60) => (step < 60 ? seconds : minutes).format(new Date(s * 1000));
}

/** y-axis steps for byte rates: 1, 2, 5 × powers of 1024, so labels read `512 KiB/s`, `1.0 MiB/s`. */
export function binaryIncrements(): number[] {
  const out: number[] = [];
  for (let k = 0; k <= 4; k++) for (const m of [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]) out.push(m * 1024 ** k);
  return out;
}
