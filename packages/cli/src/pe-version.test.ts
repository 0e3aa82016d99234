import { describe, expect, it } from "vitest";
import { NtExecutable, NtExecutableResource, Resource } from "resedit";
import { isPeFile, readPeVersion } from "./pe-version.js";

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
});
