/**
 * Where the WinSW wrapper exe comes from. No maintained npm package carries WinSW: the only copy in the
 * npm registry is WinSW 1.17 inside node-windows@0.1.14 (MIT; a .NET Framework 4 build, present on
 * Windows 10/11 and Server 2016+). It is fetched with `npm pack` into .kanade/cache (not a dependency:
 * node-windows declares os win32 and is not needed otherwise) and checked against a pinned SHA-256.
 * `--winsw <exe>` uses another build instead (e.g. WinSW 2.12 from its GitHub releases).
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

export const WINSW_PACKAGE = "node-windows@0.1.14";
export const WINSW_VERSION = "1.17.0";
export const WINSW_SHA256 = "5859b114d96800a2b98ef9d19eaa573a786a422dad324547ef25be181389df01";
const WINSW_IN_PACKAGE = "package/bin/winsw/winsw.exe";

/** The `<wrapper>.exe.config` WinSW 1.x reads (shared with the backend's installer). */
export { WINSW_EXE_CONFIG } from "../../packages/protocol/src/windows-service.js";

export const sha256File = (path: string): string => createHash("sha256").update(readFileSync(path)).digest("hex");

export class WinswError extends Error {}

/** The WinSW exe to ship: the one given, or the pinned build fetched into `cacheDir`. */
export function resolveWinsw(given: string | undefined, cacheDir: string, log: (msg: string) => void): string {
  if (given !== undefined) {
    if (!existsSync(given)) throw new WinswError(`--winsw: no file at ${given}`);
    return given;
  }
  const dir = join(cacheDir, "winsw-1.17");
  const exe = join(dir, WINSW_IN_PACKAGE);
  if (!existsSync(exe)) {
    mkdirSync(dir, { recursive: true });
    log(`fetching WinSW ${WINSW_VERSION} from ${WINSW_PACKAGE} (npm pack) into ${dir}`);
    const pack = spawnSync("npm", ["pack", WINSW_PACKAGE, "--pack-destination", dir, "--silent"], { encoding: "utf8" });
    if (pack.status !== 0) throw new WinswError(`npm pack ${WINSW_PACKAGE} failed: ${pack.stderr.trim() || `exit ${pack.status}`}; or pass --winsw <WinSW.exe>`);
    const tgz = join(dir, "node-windows-0.1.14.tgz");
    const tar = spawnSync("tar", ["-xzf", tgz, "-C", dir, WINSW_IN_PACKAGE], { encoding: "utf8" });
    rmSync(tgz, { force: true });
    if (tar.status !== 0) throw new WinswError(`could not unpack ${WINSW_IN_PACKAGE}: ${tar.stderr.trim()}`);
  }
  const actual = sha256File(exe);
  if (actual !== WINSW_SHA256) {
    throw new WinswError(`${exe}: sha256 ${actual} is not the pinned WinSW ${WINSW_VERSION} (${WINSW_SHA256}); delete it to fetch again`);
  }
  return exe;
}
