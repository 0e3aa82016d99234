/**
 * `kanade agent publish <file>`, `agent rollout <v> …`, `agent current`, `agent releases`: agent
 * builds in `agent_releases` and the `target_version` that makes agents update themselves.
 */
import { open, readFile } from "node:fs/promises";
import type { Command } from "commander";
import { agentPlatformSchema, agentRolloutStartSchema, rolloutRequestSchema, type AgentPlatform, type AgentRolloutStart, type RolloutRequest } from "@kanade/protocol";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { badInput } from "../../errors.js";
import { printJson, renderTable } from "../../output.js";
import { isPeFile, readPeVersion } from "../../pe-version.js";
import { splitList } from "../../targets.js";
import { fileSize, uploadFile } from "../../upload.js";
import { parseWaveFlags, type WaveFlags } from "../../wave-flags.js";
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

interface RolloutOpts extends WaveFlags {
  pc?: string[];
  group?: string[];
  global?: boolean;
  jitter?: string;
  abortIfFailureRate?: string;
  deadline?: string;
}

/** `--waves`: the version goes out wave by wave, each wave judged by its PCs coming up on it. */
function waveRolloutRequest(version: string, opts: RolloutOpts): AgentRolloutStart {
  const pcs = splitList(opts.pc);
  const groups = splitList(opts.group);
  const req = {
    version,
    target: { ...(pcs.length ? { pcs } : {}), ...(groups.length ? { groups } : {}), ...(opts.global ? { all: true } : {}) },
    ...parseWaveFlags({ ...opts, abortIf: opts.abortIf ?? opts.abortIfFailureRate }),
    ...(opts.jitter ? { jitter: opts.jitter } : {}),
    ...(opts.deadline ? { deadline: opts.deadline } : {}),
  };
  const r = agentRolloutStartSchema.safeParse(req);
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
    .option("--waves <waves>", "update wave by wave: <group>:<after> or <N>%:<after>, comma-separated (canary:0m,wave1:30m,100%:2h); --global then means every agent")
    .option("--abort-if <rate>", "with --waves: abort when this share of updated PCs failed (0-1, default 0.2)")
    .option("--abort-if-failure-rate <rate>", "the same as --abort-if")
    .option("--min-results <n>", "with --waves: judge the failure rate once this many PCs came up or failed (default 5)")
    .option("--deadline <duration>", "with --waves: a PC still on another version this long after its wave failed (default 10m)")
    .action(async (version: string, opts: RolloutOpts, c: Command) => {
      if (opts.waves !== undefined) {
        const v = await deps.client.call("startAgentWaveRollout", { body: waveRolloutRequest(version, opts) });
        if (wantsJson(c)) return printJson(deps.io, v);
        deps.io.out(`rollout: ${v.id}\nagent ${version} to ${v.target_count} PC(s) in ${v.waves.length} wave(s)\nfollow it with: kanade rollout status ${v.id}\n`);
        return;
      }
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
