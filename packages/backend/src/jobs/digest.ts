/** The content digest an approval binds: the manifest as stored (script body included) plus the script object's digest. */
import { createHash } from "node:crypto";
import { canonicalJson, type Manifest } from "@kanade/protocol";

/** Lowercase hex sha256 of what would run: same digest ⇔ same script, shell, timeout, options and object. */
export function manifestDigest(manifest: Manifest, scriptSha256?: string | null): string {
  const content = { manifest, ...(scriptSha256 ? { script_sha256: scriptSha256 } : {}) };
  return createHash("sha256").update(canonicalJson(content), "utf8").digest("hex");
}

/** The first 12 hex digits, as people compare digests by eye in the UI and the CLI. */
export const shortDigest = (digest: string): string => digest.slice(0, 12);
