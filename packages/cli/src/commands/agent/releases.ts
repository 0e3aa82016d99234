/**
 * `kanade agent publish <file>`, `agent rollout <v> …`, `agent current`, `agent releases`: agent
 * builds in `agent_releases` and the `target_version` that makes agents update themselves.
 */
import { open, readFile } from "node:fs/promises";
import type { Command } from "commander";
import { agentPlatformSchema, rolloutRequestSchema, type AgentPlatform, type RolloutRequest } from "@kanade/protocol";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { badInput } from "../../errors.js";
import { printJson, renderTable } from "../../output.js";
import { isPeFile, readPeVersion } from "../../pe-version.js";
import { splitList } from "../../targets.js";
import { fileSize, uploadFile } from "../../upload.js";
import { digestLines } from "../../object-noun.js";

/** Version and platform of an agent build: a PE file says its own version; anything else needs `--version`. */
export async function identifyBuild(file: string, flags: { version?: string; platform?: string }): Promise<{ version: string; platform: AgentPlatform }> {
  await fileSize(file);
  const fh = await open(file, "r");
  let pe: boolean;
  try {
    const head = new Uint8Array(2);
    await fh.read(head, 0, 2, 0);
    pe = isPeFile(head);
  } finally {
    await fh.close();
  }
  const platformFlag = flags.platform ?? (pe ? "windows-x64" : undefined);
  if (platformFlag === undefined) throw badInput(`${file} is not a Windows executable: give --platform (e.g. linux-x64) and --version`);
  const platform = agentPlatformSchema.safeParse(platformFlag);
  if (!platform.success) throw badInput(`--platform must be one of ${agentPlatformSchema.options.join(", ")}`);
  let version = flags.version;
  if (pe) {
    let fromPe: string | undefined;
    try {
      fromPe = readPeVersion(await readFile(file));
    } catch (err) {
      throw badInput(`${file} looks like a Windows executable but its resources cannot be read: ${(err as Error).message}`);
    }
    if (fromPe && version && fromPe !== version) throw badInput(`--version ${version} disagrees with the file's VERSIONINFO (${fromPe})`);
    version ??= fromPe;
    if (!version) throw badInput(`${file} has no VERSIONINFO version: give --version`);
  }
  if (!version) throw badInput(`give --version for ${file} (only Windows executables carry their own version)`);
  return { version, platform: platform.data };
}

function rolloutRequest(version: string, opts: { pc?: string[]; group?: string[]; global?: boolean; jitter?: string }): RolloutRequest {
  const pcs = splitList(opts.pc);
  const groups = splitList(opts.group);
  const req = {
    version,
    ...(pcs.length ? { pcs } : {}),
    ...(groups.length ? { groups } : {}),
    ...(opts.global ? { global: true } : {}),
    ...(opts.jitter ? { jitter: opts.jitter } : {}),
  };
  const r = rolloutRequestSchema.safeParse(req);
  if (!r.success) throw badInput(`invalid rollout: ${r.error.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ` : "") + i.message).join("; ")}`);
  return r.data;
}

export function register(agent: Command, deps: Deps): void {
  withJson(agent.command("publish"))
    .description("upload an agent build to agent_releases (a Windows .exe carries its version in VERSIONINFO)")
    .argument("<file>")
    .option("--version <v>", "version of a non-Windows build (checked against VERSIONINFO for an .exe)")
    .option("--platform <p>", "windows-x64 (default for .exe), linux-x64, …")
    .option("--force", "replace a build already published under the same key")
    .action(async (file: string, opts: { version?: string; platform?: string; force?: boolean }, c: Command) => {
      const build = await identifyBuild(file, opts);
      const query = { version: build.version, platform: build.platform, ...(opts.force ? { force: true } : {}) };
      const rel = await uploadFile(deps.io, file, (body) => deps.client.call("publishAgentRelease", { query, body }));
      if (wantsJson(c)) return printJson(deps.io, rel);
      deps.io.out(`published agent ${rel.version} for ${rel.platform} as ${rel.key} (${rel.size} bytes)\n${digestLines(rel)}`);
    });

  withJson(agent.command("rollout"))
    .description("set target_version for PCs, groups or the whole fleet; agents update themselves")
    .argument("<version>")
    .option("--pc <pc...>", "PCs to update (canary)")
    .option("--group <g...>", "groups to update")
    .option("--global", "every agent (unless a group or PC scope says otherwise)")
    .option("--jitter <duration>", "each agent waits a random 0..jitter before updating, e.g. 30m")
    .action(async (version: string, opts: { pc?: string[]; group?: string[]; global?: boolean; jitter?: string }, c: Command) => {
      const res = await deps.client.call("setRollout", { body: rolloutRequest(version, opts) });
      if (wantsJson(c)) return printJson(deps.io, res);
      deps.io.out(`target_version ${res.version} set on ${res.scopes.join(", ")}${res.jitter ? ` (jitter ${res.jitter})` : ""}\n`);
    });

  withJson(agent.command("current"))
    .description("target version per scope, and how many agents run each version")
    .action(async (_opts: unknown, c: Command) => {
      const s = await deps.client.call("getRollout");
      if (wantsJson(c)) return printJson(deps.io, s);
      deps.io.out(renderTable(["SCOPE", "TARGET", "JITTER"], s.scopes.map((x) => [x.scope, x.target_version, x.target_version_jitter])));
      deps.io.out("\n" + renderTable(["RUNNING", "AGENTS"], s.running.map((r) => [r.agent_version, r.count])));
      if (s.quarantined.length > 0) {
        deps.io.out("\n" + renderTable(["PC", "QUARANTINED"], s.quarantined.map((q) => [q.pc_id, q.versions.join(",")])));
      }
    });

  withJson(agent.command("releases"))
    .description("list published agent builds")
    .action(async (_opts: unknown, c: Command) => {
      const { items } = await deps.client.call("listAgentReleases");
      if (wantsJson(c)) return printJson(deps.io, items);
      deps.io.out(renderTable(["KEY", "VERSION", "PLATFORM", "SIZE", "SHA256"], items.map((r) => [r.key, r.version, r.platform, r.size, r.sha256])));
    });
}
