import { describe, expect, it } from "vitest";
import { collectSoftware, parseRegUninstall, parseTabbedPackages, WINDOWS_UNINSTALL_KEYS } from "./software.js";

const REG = [
  "",
  "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\{AC76BA86-7AD7-1033-7B44-AC0F074E4100}",
  "    DisplayName    REG_SZ    Adobe Acrobat Reader",
  "    DisplayVersion    REG_SZ    24.001.20604",
  "    Publisher    REG_SZ    Adobe",
  "    EstimatedSize    REG_DWORD    0x7a1200",
  "",
  "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\KB5034441",
  "    DisplayName    REG_SZ    Security Update",
  "    ParentKeyName    REG_SZ    OperatingSystem",
  "",
  "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\Hidden",
  "    DisplayName    REG_SZ    Runtime component",
  "    SystemComponent    REG_DWORD    0x1",
  "",
  "HKEY_LOCAL_MACHINE\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\NoName",
  "    UninstallString    REG_SZ    C:\\x.exe",
  "",
  "HKEY_LOCAL_MACHINE\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall\\7-Zip",
  "    DisplayName    REG_SZ    7-Zip 23.01",
  "    DisplayVersion    REG_SZ    23.01",
  "    Publisher    REG_SZ",
].join("\r\n");

describe("installed software parsers", () => {
  it("reads the uninstall keys, skipping updates, system components and nameless keys", () => {
    expect(parseRegUninstall(REG)).toEqual([
      { name: "7-Zip 23.01", version: "23.01", publisher: null },
      { name: "Adobe Acrobat Reader", version: "24.001.20604", publisher: "Adobe" },
    ]);
  });

  it("reads dpkg-query / rpm tab lines", () => {
    expect(parseTabbedPackages("bash\t5.2.15-2+b2\tMatthias Klose <doko@debian.org>\nzlib\t1.2.13-1\t(none)\n\n")).toEqual([
      { name: "bash", version: "5.2.15-2+b2", publisher: "Matthias Klose <doko@debian.org>" },
      { name: "zlib", version: "1.2.13-1", publisher: null },
    ]);
  });

  it("queries both registry views on Windows and falls back to rpm when dpkg is missing", async () => {
    const calls: string[] = [];
    const win = await collectSoftware("win32", async (file, args) => {
      calls.push(`${file} ${args.join(" ")}`);
      return args[1] === WINDOWS_UNINSTALL_KEYS[0] ? REG : "";
    });
    expect(calls).toEqual(WINDOWS_UNINSTALL_KEYS.map((k) => `reg.exe query ${k} /s`));
    expect(win).toMatchObject({ source: "registry", apps: [{ name: "7-Zip 23.01" }, { name: "Adobe Acrobat Reader" }] });
    const rpm = await collectSoftware("linux", async (file) => {
      if (file === "dpkg-query") throw new Error("ENOENT");
      return "openssl\t3.0.7-27.el9\tRed Hat, Inc.\n";
    });
    expect(rpm).toEqual({ source: "rpm", apps: [{ name: "openssl", version: "3.0.7-27.el9", publisher: "Red Hat, Inc." }] });
  });
});
