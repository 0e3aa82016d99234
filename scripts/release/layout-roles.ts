/**
 * Lays out dist/<role>/ for each role: the executables from dist/, the deploy and undeploy scripts, the
 * WinSW wrapper and its XML, the Linux units and install scripts, and a README.
 *
 *   tsx scripts/release/layout-roles.ts --dist dist --roles agent,backend,nats,client
 *       [--nats-server <nats-server.exe>] [--winsw <WinSW.exe>]
 *
 * build-release.mjs calls it for `npm run build:release -- --roles …`. Exit 2 on bad input, with the
 * missing file or option named.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { ROLE_EXECUTABLES, ROLES, roleReadme, rolePlan, type PlannedFile, type Role } from "./role-layout.js";
import { resolveWinsw, WinswError } from "./winsw-binary.js";

const REPO = fileURLToPath(new URL("../../", import.meta.url));

export class LayoutError extends Error {}

export interface LayoutOptions {
  dist: string;
  roles: readonly Role[];
  natsServerExe?: string;
  winswExe?: string;
  log?: (msg: string) => void;
}

export function parseRoles(text: string): Role[] {
  const roles = text.split(",").map((r) => r.trim()).filter((r) => r !== "");
  const bad = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
  if (roles.length === 0 || bad.length > 0) {
    throw new LayoutError(`--roles: expected a comma-separated list of ${ROLES.join(", ")}${bad.length > 0 ? `; unknown: ${bad.join(", ")}` : ""}`);
  }
  return [...new Set(roles)] as Role[];
}

function place(roleDir: string, file: PlannedFile): void {
  const to = join(roleDir, file.to);
  mkdirSync(dirname(to), { recursive: true });
  if ("from" in file) {
    if (!existsSync(file.from)) throw new LayoutError(`missing ${file.from} (needed for ${file.to})`);
    copyFileSync(file.from, to);
    chmodSync(to, file.mode ?? (statSync(file.from).mode & 0o111 ? 0o755 : 0o644));
  } else {
    writeFileSync(to, file.text);
    chmodSync(to, file.mode ?? 0o644);
  }
}

/** Builds every role folder afresh; returns the files of each, relative to its folder. */
export function layoutRoles(opts: LayoutOptions): Record<string, string[]> {
  const log = opts.log ?? ((m: string) => console.error(`[layout-roles] ${m}`));
  const dist = resolve(opts.dist);
  if (!existsSync(dist)) throw new LayoutError(`--dist: no folder at ${dist} (run npm run build:release first)`);
  if (opts.roles.includes("nats") && opts.natsServerExe === undefined) {
    throw new LayoutError("the nats role needs --nats-server <path to nats-server.exe> (from the NATS releases)");
  }
  if (opts.natsServerExe !== undefined && !existsSync(opts.natsServerExe)) throw new LayoutError(`--nats-server: no file at ${opts.natsServerExe}`);
  const needsWinsw = opts.roles.some((r) => r !== "client");
  const winswExe = needsWinsw ? resolveWinsw(opts.winswExe, join(REPO, ".kanade/cache"), log) : "";
  const out: Record<string, string[]> = {};
  for (const role of opts.roles) {
    const executables = ROLE_EXECUTABLES[role].filter((e) => existsSync(join(dist, e)));
    const missing = ROLE_EXECUTABLES[role].filter((e) => !executables.includes(e));
    if (ROLE_EXECUTABLES[role].length > 0 && executables.length === 0) {
      throw new LayoutError(`the ${role} role needs ${ROLE_EXECUTABLES[role].join(" or ")} in ${dist} (run npm run build:release first)`);
    }
    for (const m of missing) log(`${role}: ${m} not in ${dist}; that platform is left out of dist/${role}`);
    const plan: PlannedFile[] = [
      ...executables.map((e) => ({ to: e, from: join(dist, e) })),
      ...rolePlan(role, { repo: REPO, dist, winswExe, ...(opts.natsServerExe !== undefined ? { natsServerExe: opts.natsServerExe } : {}) }),
    ];
    const roleDir = join(dist, role);
    rmSync(roleDir, { recursive: true, force: true });
    mkdirSync(roleDir, { recursive: true });
    for (const file of plan) place(roleDir, file);
    const names = [...plan.map((f) => f.to), "README.md"].sort();
    writeFileSync(join(roleDir, "README.md"), roleReadme(role, names));
    out[role] = names;
    log(`dist/${role}: ${names.length} files`);
  }
  return out;
}

function main(argv: string[]): void {
  const { values } = parseArgs({
    args: argv,
    options: { dist: { type: "string" }, roles: { type: "string" }, "nats-server": { type: "string" }, winsw: { type: "string" } },
    strict: true,
  });
  if (values.dist === undefined) throw new LayoutError("--dist <folder> is required");
  if (values.roles === undefined) throw new LayoutError(`--roles is required (${ROLES.join(",")})`);
  const files = layoutRoles({
    dist: values.dist,
    roles: parseRoles(values.roles),
    ...(values["nats-server"] !== undefined ? { natsServerExe: values["nats-server"] } : {}),
    ...(values.winsw !== undefined ? { winswExe: values.winsw } : {}),
  });
  process.stdout.write(`${JSON.stringify({ roles: files })}\n`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    console.error(`layout-roles: ${err instanceof Error ? err.message : String(err)}`);
    const badInput = err instanceof LayoutError || err instanceof WinswError || (err as NodeJS.ErrnoException).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION";
    process.exit(badInput ? 2 : 1);
  }
}
