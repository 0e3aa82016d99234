/**
 * The command keys this agent trusts: pinned at enrollment (or configured), kept in
 * `<data_dir>/state/command-keys.json` (0600), and replaced only by a newer key set that a key it already
 * trusts signed — how the backend rotates keys without re-enrolling anyone.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Logger } from "pino";
import * as z from "zod";
import { commandKeySchema, type CommandKey, type CommandKeySet } from "@kanade/protocol/wire";
import { writeFileAtomicSync } from "../fs-atomic.js";
import { mkdirPrivate } from "../private-files.js";
import { verifySignature } from "./verify.js";

const storedSchema = z.object({ sequence: z.number().int().nonnegative(), keys: z.array(commandKeySchema) });

export class TrustStore {
  private sequence = 0;
  private pinned: CommandKey[] = [];
  /** `configured` then `pinned`, one key per kid; undefined until asked after a change. */
  private merged: readonly CommandKey[] | undefined;

  constructor(
    private readonly file: string | undefined,
    /** Keys from the agent's config (`command_keys` / KANADE_COMMAND_KEYS): always trusted as well. */
    private readonly configured: readonly CommandKey[],
    private readonly log: Logger,
  ) {
    if (file && existsSync(file)) {
      const r = storedSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
      if (r.success) ({ sequence: this.sequence, keys: this.pinned } = r.data);
      else log.error({ file, problem: r.error.message }, "trusted command keys file is damaged; trusting only configured keys");
    }
  }

  /** Asked for every command received (by thousands of PCs at once in the simulator): worked out once per change. */
  keys(): readonly CommandKey[] {
    if (!this.merged) {
      const byKid = new Map<string, CommandKey>();
      for (const k of [...this.configured, ...this.pinned]) byKid.set(k.kid, k);
      this.merged = Object.freeze([...byKid.values()]);
    }
    return this.merged;
  }

  /** Enrollment: the backend answered over the enrollment channel; its keys replace what was pinned. */
  pin(keys: readonly CommandKey[], sequence = 0): void {
    this.pinned = [...keys];
    this.merged = undefined;
    this.sequence = sequence;
    this.save();
  }

  /**
   * A key set from `fleet_config`: taken when newer than what is held and signed by a key trusted now.
   * Returns whether it was taken.
   */
  offer(set: CommandKeySet): boolean {
    if (set.sequence <= this.sequence) return false;
    const trusted = this.keys();
    const unsigned = set as unknown as Record<string, unknown>;
    if (!set.signatures.some((s) => verifySignature(trusted, "commandKeys", unsigned, s))) {
      this.log.warn({ sequence: set.sequence, signed_by: set.signatures.map((s) => s.kid) }, "ignored a command key set no trusted key signed");
      return false;
    }
    const before = this.keys().map((k) => k.kid);
    this.pin(set.keys, set.sequence);
    this.log.info({ sequence: set.sequence, before, after: set.keys.map((k) => k.kid) }, "command keys updated");
    return true;
  }

  private save(): void {
    if (!this.file) return;
    mkdirPrivate(dirname(this.file));
    writeFileAtomicSync(this.file, JSON.stringify({ sequence: this.sequence, keys: this.pinned }) + "\n");
  }
}
