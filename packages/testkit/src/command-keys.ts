/**
 * The command-signing key of a test process: made once (lazily) in a temp dir, used by every backend a test
 * starts (`commandKeysDir`) and trusted by every agent it starts, so tests exercise the real signed path.
 * Tests that publish commands themselves sign them here; forgeries are built by leaving this out.
 */
import { rmSync } from "node:fs";
import { KILL_VALIDITY_MS, targetOfSubject, type CommandKey } from "@kanade/protocol";
import { openCommandSigner, type CommandSigner } from "@kanade/backend";
import { tempDir } from "./temp.js";

export interface TestCommandKeys {
  /** Pass as the backend's `commandKeysDir` (or `KANADE_COMMAND_KEYS_DIR`). */
  dir: string;
  keys: CommandKey[];
  /** Env for an agent process (`KANADE_COMMAND_KEYS`) and a backend process (`KANADE_COMMAND_KEYS_DIR`). */
  agentEnv: Record<string, string>;
  backendEnv: Record<string, string>;
  /** Adds target (from the subject), a 7-day expiry and the signature, as the backend does. */
  signCommand(cmd: Record<string, unknown>, subject: string): Record<string, unknown>;
  signKill(kill: { exec_id: string; issued_by: string; issued_at: string }): Record<string, unknown>;
  signer: CommandSigner;
}

let made: TestCommandKeys | undefined;

export function testCommandKeys(): TestCommandKeys {
  if (made) return made;
  const dir = tempDir("kanade-test-command-keys-");
  process.once("exit", () => rmSync(dir.path, { recursive: true, force: true }));
  const signer = openCommandSigner(dir.path);
  const keys = signer.trusted();
  made = {
    dir: dir.path,
    keys,
    agentEnv: { KANADE_COMMAND_KEYS: keys.map((k) => k.public_key).join(",") },
    backendEnv: { KANADE_COMMAND_KEYS_DIR: dir.path },
    signCommand: (cmd, subject) => {
      const issued = typeof cmd.issued_at === "string" ? Date.parse(cmd.issued_at) : Date.now();
      const unsigned = { target: targetOfSubject(subject), expires_at: new Date(issued + 7 * 86_400_000).toISOString(), ...cmd };
      return { ...unsigned, signature: signer.sign("command", unsigned) };
    },
    signKill: (kill) => {
      const unsigned = { ...kill, expires_at: new Date(Date.parse(kill.issued_at) + KILL_VALIDITY_MS).toISOString() };
      return { ...unsigned, signature: signer.sign("kill", unsigned) };
    },
    signer,
  };
  return made;
}
