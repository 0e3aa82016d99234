import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { NtExecutable, NtExecutableResource, Resource } from "resedit";
import { identifyBuild } from "./commands/agent/releases.js";
import { isPeFile, readPeVersion } from "./pe-version.js";

/** A real MinGW-w64 build with a COFF symbol table and VERSIONINFO 3.1.4 (see test/fixtures/pe/README.md). */
const MINGW_EXE = fileURLToPath(new URL("../test/fixtures/pe/mingw-symbols.exe", import.meta.url));

/** [PointerToSymbolTable, NumberOfSymbols] from the COFF file header. */
function coffSymbols(pe: Uint8Array): [number, number] {
  const view = new DataView(pe.buffer, pe.byteOffset, pe.byteLength);
  const coff = view.getUint32(0x3c, true) + 4;
  return [view.getUint32(coff + 8, true), view.getUint32(coff + 12, true)];
}

/** `pe` with a COFF symbol table appended (18-byte records, then a 4-byte string table), as a linker leaves it. */
function withSymbolTable(pe: Uint8Array, count: number): Uint8Array {
  const out = new Uint8Array(pe.length + count * 18 + 4);
  out.set(pe);
  const view = new DataView(out.buffer);
  const coff = view.getUint32(0x3c, true) + 4;
  view.setUint32(coff + 8, pe.length, true);
  view.setUint32(coff + 12, count, true);
  view.setUint32(pe.length + count * 18, 4, true);
  return out;
}

/** A tiny but real PE image (no code) carrying a VERSIONINFO resource, made the way the release build stamps the agent. */
function makePe(version: [number, number, number], strings: Record<string, string> = {}): Uint8Array {
  const exe = NtExecutable.createEmpty(false, false);
  const res = NtExecutableResource.from(exe);
  const vi = Resource.VersionInfo.createEmpty();
  vi.setFileVersion(...version, 0, 1033);
  vi.setProductVersion(...version, 0, 1033);
  if (Object.keys(strings).length > 0) vi.setStringValues({ lang: 1033, codepage: 1200 }, strings);
  vi.outputToResourceEntries(res.entries);
  res.outputResource(exe);
  return new Uint8Array(exe.generate());
}

describe("readPeVersion", () => {
  it("reads the version string the release build writes", () => {
    const pe = makePe([1, 4, 2], { ProductName: "kanade-agent", FileVersion: "1.4.2", ProductVersion: "1.4.2" });
    expect(isPeFile(pe)).toBe(true);
    expect(readPeVersion(pe)).toBe("1.4.2");
  });

  it("falls back to the fixed file version when there are no strings", () => {
    expect(readPeVersion(makePe([2, 0, 7]))).toBe("2.0.7");
  });

  it("does not take a shell script for a PE file", () => {
    expect(isPeFile(new TextEncoder().encode("#!/bin/sh\n"))).toBe(false);
  });

  it("reads a MinGW build that keeps its COFF symbol table", () => {
    const exe = readFileSync(MINGW_EXE);
    expect(coffSymbols(exe)[1]).toBeGreaterThan(0);
    expect(readPeVersion(exe)).toBe("3.1.4");
  });

  it("reads any PE with a symbol table, and leaves the caller's bytes as they were", () => {
    const pe = withSymbolTable(makePe([5, 6, 7], { ProductVersion: "5.6.7" }), 3);
    const before = coffSymbols(pe);
    expect(before[1]).toBe(3);
    expect(readPeVersion(pe)).toBe("5.6.7");
    expect(coffSymbols(pe)).toEqual(before);
  });

  it("still refuses bytes that are not a PE image, with an error the CLI reports", () => {
    const fake = new Uint8Array(512);
    fake.set([0x4d, 0x5a]);
    expect(() => readPeVersion(fake)).toThrow();
  });
});

describe("kanade agent publish <exe>", () => {
  it("takes the version and platform of a MinGW build from the file itself", async () => {
    await expect(identifyBuild(MINGW_EXE, {})).resolves.toEqual({ version: "3.1.4", platform: "windows-x64" });
    await expect(identifyBuild(MINGW_EXE, { version: "3.1.5" })).rejects.toThrow("--version 3.1.5 disagrees with the file's VERSIONINFO (3.1.4)");
  });
});
