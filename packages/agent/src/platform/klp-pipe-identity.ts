/**
 * The pure half of KLP identity on Windows. A named-pipe server that owns its handles reads the client's
 * token (ImpersonateNamedPipeClient → OpenThreadToken → GetTokenInformation(TokenUser) → RevertToSelf) and
 * gets a binary SID; these functions turn that into the KLP user id and decide whether to serve it.
 * On Windows the relay (klp-relay-script.ts) reads the SID as text and klp-relay.ts passes it to
 * klpUserFromSid; these are unit-tested on every platform.
 */

/**
 * SDDL of the pipe: network logons denied first (the relay's stand-in for PIPE_REJECT_REMOTE_CLIENTS, which
 * .NET Framework does not set), then SYSTEM and Administrators full, interactive users read/write; no one else.
 */
export const KLP_PIPE_SDDL = "D:P(D;;GA;;;NU)(A;;GA;;;SY)(A;;GA;;;BA)(A;;GRGW;;;IU)";

/** Formats a binary SID (as in TOKEN_USER) as `S-1-5-21-…`; undefined when the bytes are not a SID. */
export function sidToString(bytes: Uint8Array): string | undefined {
  if (bytes.length < 8 || bytes[0] !== 1) return undefined;
  const count = bytes[1]!;
  if (count > 15 || bytes.length < 8 + 4 * count) return undefined;
  let authority = 0;
  for (let i = 2; i < 8; i++) authority = authority * 256 + bytes[i]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const subs: number[] = [];
  for (let i = 0; i < count; i++) subs.push(view.getUint32(8 + 4 * i, true));
  return ["S", "1", String(authority), ...subs.map(String)].join("-");
}

/** Tokens that are no person at a desktop: anonymous, or services other than the agent's own LocalSystem. */
const REFUSED_SIDS = new Set(["S-1-5-7", "S-1-5-19", "S-1-5-20"]);

/** The KLP user for a client token's SID, or undefined when such a client must be refused. */
export function klpUserFromSid(sid: string | undefined): string | undefined {
  if (!sid || !/^S-1-\d+(-\d+)+$/.test(sid) || REFUSED_SIDS.has(sid)) return undefined;
  return `sid:${sid}`;
}
