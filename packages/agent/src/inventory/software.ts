/**
 * Installed applications (`sw`): dpkg or rpm on Linux, the uninstall registry keys on Windows.
 * The parsers are pure so they are tested without the tools.
 */
import { execFile } from "node:child_process";
import type { InstalledApp } from "@kanade/protocol/wire";

/** Where Windows lists installed programs: 64-bit, then 32-bit programs on a 64-bit OS. */
export const WINDOWS_UNINSTALL_KEYS = [
  "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall",
  "HKLM\\SOFTWARE\\WOW6432Node\\Microsoft\\Windows\\CurrentVersion\\Uninstall",
] as const;

export const DPKG_ARGS = ["-W", "-f", "${Package}\\t${Version}\\t${Maintainer}\\n"] as const;
export const RPM_ARGS = ["-qa", "--qf", "%{NAME}\\t%{VERSION}-%{RELEASE}\\t%{VENDOR}\\n"] as const;

const orNull = (s: string | undefined): string | null => {
  const t = s?.trim();
  return t && t !== "(none)" ? t : null;
};

/** Lines of `name<TAB>version<TAB>publisher` (the dpkg-query and rpm formats above). */
export function parseTabbedPackages(text: string): InstalledApp[] {
  const apps: InstalledApp[] = [];
  for (const line of text.split(/\r?\n/)) {
    const [name, version, publisher] = line.split("\t");
    if (!name?.trim()) continue;
    apps.push({ name: name.trim(), version: orNull(version), publisher: orNull(publisher) });
  }
  return sortApps(apps);
}

/**
 * `reg query <key> /s` output: a key line (`HKEY_LOCAL_MACHINE\...\Uninstall\{GUID}`) followed by
 * value lines (`    DisplayName    REG_SZ    Mozilla Firefox`). Keeps entries with a DisplayName that
 * are neither system components nor updates of another product (they have a ParentKeyName).
 */
export function parseRegUninstall(text: string): InstalledApp[] {
  const apps: InstalledApp[] = [];
  let values: Map<string, string> | undefined;
  const finish = (): void => {
    if (!values) return;
    const name = values.get("displayname")?.trim();
    const system = values.get("systemcomponent");
    if (name && values.get("parentkeyname") === undefined && !(system && Number(system) === 1)) {
      apps.push({ name, version: orNull(values.get("displayversion")), publisher: orNull(values.get("publisher")) });
    }
    values = undefined;
  };
  for (const raw of text.split(/\r?\n/)) {
    if (/^HKEY_/i.test(raw)) {
      finish();
      values = new Map();
      continue;
    }
    const m = /^\s+(\S.*?)\s{2,}(REG_[A-Z_]+)\s{2,}(.*)$/.exec(raw) ?? /^\s+(\S.*?)\s{2,}(REG_[A-Z_]+)$/.exec(raw);
    if (m && values) values.set(m[1]!.toLowerCase(), (m[3] ?? "").trim());
  }
  finish();
  return sortApps(dedupe(apps));
}

function dedupe(apps: InstalledApp[]): InstalledApp[] {
  const seen = new Map<string, InstalledApp>();
  for (const a of apps) seen.set(`${a.name}\u0000${a.version ?? ""}`, a);
  return [...seen.values()];
}

const sortApps = (apps: InstalledApp[]): InstalledApp[] => apps.sort((a, b) => a.name.localeCompare(b.name));

export type RunTool = (file: string, args: readonly string[]) => Promise<string>;

/** Runs a tool and returns its stdout; rejects when it is missing or fails. */
export const runTool: RunTool = (file, args) =>
  new Promise((resolve, reject) => {
    execFile(file, [...args], { maxBuffer: 64 * 1024 * 1024, windowsHide: true, timeout: 120_000 }, (err, stdout) =>
      err ? reject(err) : resolve(stdout),
    );
  });

/** The installed applications of this host, and which source listed them. */
export async function collectSoftware(
  platform: NodeJS.Platform = process.platform,
  run: RunTool = runTool,
): Promise<{ apps: InstalledApp[]; source: string }> {
  if (platform === "win32") {
    const texts = await Promise.all(WINDOWS_UNINSTALL_KEYS.map((k) => run("reg.exe", ["query", k, "/s"]).catch(() => "")));
    return { apps: parseRegUninstall(texts.join("\n")), source: "registry" };
  }
  if (platform === "linux") {
    try {
      return { apps: parseTabbedPackages(await run("dpkg-query", DPKG_ARGS)), source: "dpkg" };
    } catch (dpkgErr) {
      try {
        return { apps: parseTabbedPackages(await run("rpm", RPM_ARGS)), source: "rpm" };
      } catch (rpmErr) {
        throw new Error("neither dpkg-query nor rpm could list packages", { cause: new AggregateError([dpkgErr, rpmErr]) });
      }
    }
  }
  return { apps: [], source: "unsupported" };
}
