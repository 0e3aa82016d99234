/** Software delivery shapes (SPEC §3, §7): object keys, release platform keys, rollout requests. */
import * as z from "zod";
import { boundedDuration } from "./duration.js";
import { GROUP_RE, PC_ID_RE } from "./ids.js";

/** One path segment of an object key (`<name>/<version>`): safe in a URL, a file name and a NATS header. */
export const OBJECT_SEGMENT_RE = /^[A-Za-z0-9][A-Za-z0-9._+-]{0,127}$/;
export const objectSegmentSchema = z.string().regex(OBJECT_SEGMENT_RE, "expected letters, digits, . _ + - (1-128 chars)");

/** Key in the `scripts` / `app_packages` object stores. */
export const objectKey = (name: string, version: string): string => `${name}/${version}`;

/** Response header carrying the lowercase hex SHA-256 of a downloaded object (the form `Get-FileHash` prints). */
export const SHA256_HEADER = "x-kanade-sha256";
/** Response header carrying the digest as NATS prints it (`SHA-256=<base64url>`). */
export const DIGEST_HEADER = "x-kanade-digest";

/** Agent builds: `windows-x64` is keyed by the bare version; every other platform adds a suffix. */
export const AGENT_PLATFORMS = ["windows-x64", "linux-x64", "linux-arm64", "windows-arm64", "macos-x64", "macos-arm64"] as const;
export type AgentPlatform = (typeof AGENT_PLATFORMS)[number];
export const agentPlatformSchema = z.enum(AGENT_PLATFORMS);

/** `agent_releases` key of one build: `<version>` for Windows x64, `<version>-<platform>` otherwise. */
export function releaseKey(version: string, platform: AgentPlatform): string {
  return platform === "windows-x64" ? version : `${version}-${platform}`;
}

/** The platform of a running process, in release-key terms (undefined when kanade builds none for it). */
export function platformOf(os: string, arch: string): AgentPlatform | undefined {
  const family = os === "win32" ? "windows" : os === "darwin" ? "macos" : os;
  const p = `${family}-${arch}`;
  return (AGENT_PLATFORMS as readonly string[]).includes(p) ? (p as AgentPlatform) : undefined;
}

/** Splits a release key back into version and platform. */
export function parseReleaseKey(key: string): { version: string; platform: AgentPlatform } {
  for (const p of AGENT_PLATFORMS) {
    if (p !== "windows-x64" && key.endsWith(`-${p}`)) return { version: key.slice(0, -p.length - 1), platform: p };
  }
  return { version: key, platform: "windows-x64" };
}

/** One stored object as the list routes show it. */
export const storedObjectSchema = z.object({
  key: z.string(),
  name: z.string(),
  version: z.string(),
  size: z.number(),
  /** As NATS prints it: `SHA-256=<base64url>`. */
  digest: z.string(),
  /** Lowercase hex, comparable with `Get-FileHash` / `sha256sum`. */
  sha256: z.string(),
  mtime: z.string(),
});
export type StoredObject = z.infer<typeof storedObjectSchema>;

/** One agent build in `agent_releases`. */
export const agentReleaseSchema = z.object({
  key: z.string(),
  version: z.string(),
  platform: agentPlatformSchema,
  size: z.number(),
  digest: z.string(),
  sha256: z.string(),
  mtime: z.string(),
});
export type AgentRelease = z.infer<typeof agentReleaseSchema>;

export const rolloutRequestSchema = z
  .object({
    version: z.string().regex(OBJECT_SEGMENT_RE, "expected a version"),
    pcs: z.array(z.string().regex(PC_ID_RE, "expected a pc_id")).min(1).optional(),
    groups: z.array(z.string().regex(GROUP_RE, "expected a group name")).min(1).optional(),
    global: z.boolean().optional(),
    // Written as target_version_jitter, which the agent sleeps on: capped at 24d (see MAX_TIMER_MS).
    jitter: boundedDuration("30s, 5m, 1h").optional(),
  })
  .strict()
  .refine((r) => [r.pcs !== undefined, r.groups !== undefined, r.global === true].filter(Boolean).length === 1, {
    message: "give exactly one of pcs, groups or global: true",
  });
export type RolloutRequest = z.infer<typeof rolloutRequestSchema>;

/** `POST /api/agent-rollout` answer: the scopes written. */
export const rolloutResponseSchema = z.object({
  version: z.string(),
  scopes: z.array(z.string()),
  jitter: z.string().nullable(),
});
export type RolloutResponse = z.infer<typeof rolloutResponseSchema>;

/** `GET /api/agent-rollout`: where a target is set, and what the fleet actually runs. */
export const rolloutStatusSchema = z.object({
  scopes: z.array(z.object({ scope: z.string(), target_version: z.string(), target_version_jitter: z.string().nullable() })),
  running: z.array(z.object({ agent_version: z.string(), count: z.number().int() })),
  quarantined: z.array(z.object({ pc_id: z.string(), versions: z.array(z.string()) })),
});
export type RolloutStatus = z.infer<typeof rolloutStatusSchema>;
