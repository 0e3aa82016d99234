/** Small argument parsers shared by commands; they throw bad-input errors naming the flag. */
import { badInput } from "./errors.js";

export function parseLimit(value: string | undefined, flag = "--limit"): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw badInput(`invalid ${flag}`, [{ path: flag, message: "expected a positive whole number" }]);
  return n;
}
