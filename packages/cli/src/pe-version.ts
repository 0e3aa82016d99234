/**
 * Reads the version of a Windows PE file (an `.exe`) from its VERSIONINFO resource, so
 * `kanade agent publish kanade-agent.exe` needs no `--version`. Pure JS (resedit / pe-library), for
 * any valid PE: MSVC, Node single executables, and MinGW builds that keep a COFF symbol table.
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
  const exe = NtExecutable.from(withoutCoffSymbols(bytes), { ignoreCert: true });
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

/** Offset of the COFF file header (just after `PE\0\0`), or undefined when the bytes have none. */
function coffHeaderOffset(view: DataView): number | undefined {
  if (view.byteLength < 0x40) return undefined;
  const pe = view.getUint32(0x3c, true); // e_lfanew
  if (pe + 24 > view.byteLength || view.getUint32(pe, true) !== 0x00004550) return undefined;
  return pe + 4;
}

/**
 * The image as pe-library can read it. MinGW builds keep a COFF symbol table, which nothing but a
 * debugger reads in an executable and which pe-library refuses ("Binary with symbols is not
 * supported"); a copy whose header does not point to it has the same sections and resources.
 * The caller's bytes are never changed, and are returned as they are when there is no symbol table.
 */
function withoutCoffSymbols(bytes: Uint8Array): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const coff = coffHeaderOffset(view);
  // PointerToSymbolTable at +8, NumberOfSymbols at +12.
  if (coff === undefined || (view.getUint32(coff + 8, true) === 0 && view.getUint32(coff + 12, true) === 0)) return bytes;
  const copy = new Uint8Array(bytes);
  const header = new DataView(copy.buffer, copy.byteOffset, copy.byteLength);
  header.setUint32(coff + 8, 0, true);
  header.setUint32(coff + 12, 0, true);
  return copy;
}
