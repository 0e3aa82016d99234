/**
 * Reads the version of a Windows PE file (an `.exe`) from its VERSIONINFO resource, so
 * `kanade agent publish kanade-agent.exe` needs no `--version`. Pure JS (resedit / pe-library).
 */
import { NtExecutable, NtExecutableResource, Resource } from "resedit";

/** True when the bytes start like a DOS/PE executable. */
export function isPeFile(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x4d && head[1] === 0x5a; // "MZ"
}

/**
 * The version string of a PE image: the `ProductVersion` / `FileVersion` string when it is set, else
 * the fixed file version (`1.2.3.0` shown as `1.2.3`). Undefined when the file has no VERSIONINFO.
 */
export function readPeVersion(bytes: Uint8Array): string | undefined {
  // ignoreCert: a signed binary still has a readable version; we never write this image back.
  const exe = NtExecutable.from(bytes, { ignoreCert: true });
  const res = NtExecutableResource.from(exe);
  const info = Resource.VersionInfo.fromEntries(res.entries)[0];
  if (!info) return undefined;
  for (const lang of info.getAvailableLanguages()) {
    const strings = info.getStringValues(lang);
    const v = (strings.ProductVersion ?? strings.FileVersion)?.trim();
    if (v) return trimFourthPart(v);
  }
  const f = info.fixedInfo;
  const parts = [f.fileVersionMS >>> 16, f.fileVersionMS & 0xffff, f.fileVersionLS >>> 16, f.fileVersionLS & 0xffff];
  if (parts.every((p) => p === 0)) return undefined;
  return trimFourthPart(parts.join("."));
}

/** Windows versions have four parts; kanade's are semver, so `1.2.3.0` is `1.2.3`. */
const trimFourthPart = (v: string): string => v.replace(/^(\d+\.\d+\.\d+)\.0$/, "$1");
