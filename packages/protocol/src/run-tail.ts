/**
 * Live output of a running script (issue 17 §2): the agent keeps the newest bytes of each stream of each run
 * in a bounded ring and answers `agents.<pc>.tail` requests with what came after a byte offset. Nothing is sent
 * unless someone asks, so nothing streams when nobody watches.
 */
import * as z from "zod";
import { UUID_RE } from "./ids.js";

/** Bytes of each stream an agent keeps per running script; a follower slower than this sees a gap. */
export const RUN_TAIL_RING_BYTES = 64 * 1024;

const offset = z.number().int().min(0);

/** `agents.<pc>.tail` request: the run, and the byte offset of each stream the follower has already shown. */
export const runTailRequestSchema = z.object({
  exec_id: z.string().regex(UUID_RE, "expected an exec_id (UUID)"),
  stdout_from: offset.default(0),
  stderr_from: offset.default(0),
});
export type RunTailRequest = z.input<typeof runTailRequestSchema>;

/** One stream's news: `text` starts at byte `from` and ends at `next`; `skipped` bytes were already out of the ring. */
export const streamTailSchema = z.object({ from: offset, next: offset, skipped: offset, text: z.string() });
export type StreamTail = z.infer<typeof streamTailSchema>;

/** The agent's answer; `running: false` means no run of that exec is in progress there (finished, or never started). */
export const runTailReplySchema = z.object({
  pc_id: z.string(),
  exec_id: z.string(),
  running: z.boolean(),
  stdout: streamTailSchema,
  stderr: streamTailSchema,
});
export type RunTailReply = z.infer<typeof runTailReplySchema>;
