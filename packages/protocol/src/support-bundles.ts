/**
 * Support bundles: what a person at a PC sends to IT with one click (KLP `support.upload_diagnostics`).
 * The agent builds the bundle, the backend stores it, operators list and read it through the API.
 */
import * as z from "zod";

/** A bundle body stays well inside the broker's default 1 MiB max_payload. */
export const MAX_SUPPORT_BUNDLE_BYTES = 512 * 1024;
export const MAX_SUPPORT_NOTE_CHARS = 2_000;

/** What the agent sends: who asked (as the OS said), their note, the PC's state, the agent's log tail and recent runs. */
export const supportBundleContentSchema = z.object({
  user: z.string().min(1).max(200),
  note: z.string().max(MAX_SUPPORT_NOTE_CHARS).optional(),
  created_at: z.string(),
  agent_version: z.string(),
  state: z.record(z.string(), z.unknown()),
  log_tail: z.array(z.string()),
  runs: z.array(z.record(z.string(), z.unknown())),
});
export type SupportBundleContent = z.infer<typeof supportBundleContentSchema>;

export const supportBundleSummarySchema = z.object({
  id: z.string(),
  pc_id: z.string(),
  user: z.string(),
  created_at: z.string(),
  note: z.string().nullable(),
  bytes: z.number().int(),
});
export type SupportBundleSummary = z.infer<typeof supportBundleSummarySchema>;

export const supportBundleDetailSchema = supportBundleSummarySchema.extend({ bundle: supportBundleContentSchema });
export type SupportBundleDetail = z.infer<typeof supportBundleDetailSchema>;
