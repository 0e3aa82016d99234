/**
 * Signed commands (the lock-down of the fleet): the backend signs every Command, kill message and command-key
 * set with Ed25519; agents verify against keys they pinned when they enrolled, so even a broker that is fully
 * compromised cannot make a PC run code. This module is the pure part both sides share: what is signed
 * (canonical JSON under a domain tag, so a signature for one kind can never pass as another) and the shapes.
 */
import * as z from "zod";
import { canonicalJson } from "./canonical-json.js";
import { GROUP_RE, PC_ID_RE } from "./ids.js";

/** What each signature covers, as a prefix of the signed text. */
export const SIGNED_KINDS = {
  command: "kanade/command/v1",
  kill: "kanade/kill/v1",
  commandKeys: "kanade/command-keys/v1",
  scheduleOrder: "kanade/schedule-order/v1",
} as const;
export type SignedKind = keyof typeof SIGNED_KINDS;

const base64url = /^[A-Za-z0-9_-]+$/;

/** A key id: the first 16 base64url characters of the public key (96 bits: distinct for random keys). */
export const keyIdSchema = z.string().regex(/^[A-Za-z0-9_-]{16}$/, "expected a 16-character key id");
export const keyIdOf = (publicKey: string): string => publicKey.slice(0, 16);

export const signatureSchema = z.object({
  kid: keyIdSchema,
  /** Ed25519 signature over `signedText(kind, message)`, base64url. */
  sig: z.string().regex(base64url).length(86, "expected a base64url Ed25519 signature"),
});
export type Signature = z.infer<typeof signatureSchema>;

/** A public key agents trust for commands: raw 32-byte Ed25519 key, base64url. */
export const commandKeySchema = z.object({
  kid: keyIdSchema,
  public_key: z.string().regex(base64url).length(43, "expected a base64url 32-byte Ed25519 public key"),
});
export type CommandKey = z.infer<typeof commandKeySchema>;

/**
 * The key set the backend publishes in `fleet_config` (`command_keys`) when a key is added or retired. Agents
 * accept it only when one of its signatures verifies with a key they already trust and it is newer
 * (`sequence`) than the set they hold. A retiring key co-signs the set that drops it, so an agent that was
 * offline through a whole rotation still follows it.
 */
export const commandKeySetSchema = z.object({
  sequence: z.number().int().positive(),
  keys: z.array(commandKeySchema).min(1),
  issued_at: z.string(),
  signatures: z.array(signatureSchema).min(1),
});
export type CommandKeySet = z.infer<typeof commandKeySetSchema>;
export const COMMAND_KEYS_KV_KEY = "command_keys";

/** A command key as the API lists it: `active` signs, `next` is trusted and waits to take over, `retired` no longer counts. */
export const commandKeyInfoSchema = commandKeySchema.extend({
  status: z.enum(["active", "next", "retired"]),
  created_at: z.string(),
  retired_at: z.string().optional(),
});
export type CommandKeyInfo = z.infer<typeof commandKeyInfoSchema>;

/** Whom a command was issued for: bound into its signature, checked against the subject and the agent. */
export const commandTargetSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("pc"), name: z.string().regex(PC_ID_RE) }),
  z.object({ kind: z.literal("group"), name: z.string().regex(GROUP_RE) }),
  z.object({ kind: z.literal("all") }),
]);
export type CommandTarget = z.infer<typeof commandTargetSchema>;

/** The target a command subject addresses (`commands.pc.<pc>`, `commands.group.<g>`, `commands.all`). */
export function targetOfSubject(subject: string): CommandTarget | undefined {
  if (subject === "commands.all") return { kind: "all" };
  const pc = /^commands\.pc\.([^.]+)$/.exec(subject);
  if (pc && PC_ID_RE.test(pc[1]!)) return { kind: "pc", name: pc[1]! };
  const g = /^commands\.group\.([^.]+)$/.exec(subject);
  if (g && GROUP_RE.test(g[1]!)) return { kind: "group", name: g[1]! };
  return undefined;
}

export const sameTarget = (a: CommandTarget, b: CommandTarget): boolean =>
  a.kind === b.kind && (a.kind === "all" || a.name === (b as { name: string }).name);

/** The exact text a signature covers: the domain tag, a newline, the message's canonical JSON without its signature(s). */
export function signedText(kind: SignedKind, message: Record<string, unknown>): string {
  const { signature: _one, signatures: _many, ...rest } = message;
  return `${SIGNED_KINDS[kind]}\n${canonicalJson(rest)}`;
}

/** How long a kill message stays valid; a replay after that is refused. */
export const KILL_VALIDITY_MS = 10 * 60_000;
