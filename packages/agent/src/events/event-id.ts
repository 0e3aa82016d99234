/** Event ids that are the same every time the same fact is seen (a re-read log, a re-sent file), so the backend stores it once. */
import { createHash } from "node:crypto";

/** 32 hex characters of the SHA-256 of the parts (NUL-separated, so `a`+`bc` differs from `ab`+`c`). */
export function stableEventId(...parts: readonly string[]): string {
  return createHash("sha256").update(parts.join("\0")).digest("hex").slice(0, 32);
}
