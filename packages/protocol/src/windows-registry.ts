/**
 * The pure half of reading secrets from the Windows registry with `reg.exe query` (no native addon): the agent
 * reads `HKLM\SOFTWARE\Kanade\agent`, the backend `HKLM\SOFTWARE\Kanade\backend`. Each runs reg.exe itself.
 */

export interface RegValue {
  type: string;
  data: string;
}

/** Runs `reg query <key> /v <name>` (the shape of `spawnSync`'s answer, so tests can stand in for reg.exe). */
export type RegQuery = (key: string, name: string) => { status: number | null; stdout: string; stderr: string; error?: Error };

/** The registry value types `reg query` prints as text we can use as a string. */
export const REG_STRING_TYPES: ReadonlySet<string> = new Set(["REG_SZ", "REG_EXPAND_SZ"]);

/**
 * Finds value `name` in `reg query` output. Value lines are `    <name>    <REG_TYPE>    <data>`
 * (four-space separators; data may itself hold spaces, or be missing when empty). Names compare
 * case-insensitively, as the registry does. Undefined when the value is not listed.
 */
export function parseRegQuery(output: string, name: string): RegValue | undefined {
  const wanted = name.toLowerCase();
  for (const line of output.split(/\r?\n/)) {
    const m = /^ {4}(.+?) {4}(REG_[A-Z0-9_]+)(?: {4}(.*))?$/.exec(line.replace(/\r$/, ""));
    if (m && m[1]!.toLowerCase() === wanted) return { type: m[2]!, data: m[3] ?? "" };
  }
  return undefined;
}

/**
 * One string value, or undefined when the key or value is absent or empty. Throws an Error saying why for a
 * value of another type or a reg.exe that cannot run, so a caller fails loudly instead of going on without it.
 */
export function readRegString(query: RegQuery, key: string, name: string): string | undefined {
  const r = query(key, name);
  if (r.error) throw new Error(r.error.message, { cause: r.error });
  // reg.exe exits 1 both for a missing key and a missing value: nothing configured there.
  if (r.status === 1) return undefined;
  if (r.status !== 0) throw new Error(`reg.exe exited with ${r.status ?? "a signal"}: ${r.stderr.trim()}`);
  const value = parseRegQuery(r.stdout, name);
  if (!value) return undefined;
  if (!REG_STRING_TYPES.has(value.type)) throw new Error(`expected a REG_SZ string, found ${value.type}`);
  return value.data === "" ? undefined : value.data;
}
