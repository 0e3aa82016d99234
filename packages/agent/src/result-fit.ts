/**
 * The inline cap counts raw output bytes, but JSON escaping can grow them up to six-fold (a NUL becomes
 * `\u0000`), so a result within the cap can still be larger than the broker's max_payload — and a publish
 * that can never succeed would block the outbox. These helpers trim the inline streams until it fits.
 */
import type { ExecResult } from "@kanade/protocol/wire";

/** nats-server's default max_payload, used until the connection has seen the server's INFO. */
export const DEFAULT_MAX_PAYLOAD = 1024 * 1024;
/** Left free under max_payload for the headers (Nats-Msg-Id) and object keys added after the fit. */
export const PAYLOAD_MARGIN_BYTES = 8 * 1024;

export const OUTPUT_STREAMS = ["stdout", "stderr"] as const;
export type OutputStream = (typeof OUTPUT_STREAMS)[number];

export interface FittedResult {
  result: ExecResult;
  /** Streams whose inline text was cut to fit. */
  trimmed: OutputStream[];
}

export const encodedBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value), "utf8");

/**
 * Cuts stdout/stderr (each keeps a head, marked `*_truncated`) so the encoded result is at most
 * `limitBytes`. The smaller stream keeps up to half the room and the larger gets the rest. When even
 * empty streams do not fit, the result comes back with both emptied; the publish then fails for good.
 */
export function fitResult(result: ExecResult, limitBytes: number): FittedResult {
  if (encodedBytes(result) <= limitBytes) return { result, trimmed: [] };
  // `false` is the longer flag: sizing with it keeps the sum safe whichever streams end up cut.
  const bare: ExecResult = { ...result, stdout: "", stderr: "", stdout_truncated: false, stderr_truncated: false };
  const room = Math.max(0, limitBytes - encodedBytes(bare));
  const half = Math.floor(room / 2);
  const outCost = textCost(result.stdout);
  const errCost = textCost(result.stderr);
  const outAllot = outCost <= half ? outCost : errCost <= half ? room - errCost : half;
  const allot: Record<OutputStream, number> = { stdout: outAllot, stderr: room - outAllot };

  const out: ExecResult = { ...result };
  const trimmed: OutputStream[] = [];
  for (const s of OUTPUT_STREAMS) {
    if (textCost(result[s]) <= allot[s]) continue;
    out[s] = jsonHead(result[s], allot[s]);
    out[`${s}_truncated`] = true;
    trimmed.push(s);
  }
  return { result: out, trimmed };
}

/** Bytes a string adds to the encoded JSON, without its two quotes. */
function textCost(text: string): number {
  return encodedBytes(text) - 2;
}

/** The longest head of `text` whose encoded size is at most `maxBytes`, never splitting a surrogate pair. */
export function jsonHead(text: string, maxBytes: number): string {
  // Binary search over the cut: the cost of a head only grows with its length (a split pair is backed
  // off first, so a lone surrogate's 6-byte escape never makes a shorter head look dearer).
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (textCost(head(text, mid)) <= maxBytes) lo = mid;
    else hi = mid - 1;
  }
  return head(text, lo);
}

function head(text: string, n: number): string {
  const code = text.charCodeAt(n - 1);
  const splitsPair = n > 0 && n < text.length && code >= 0xd800 && code <= 0xdbff;
  return text.slice(0, splitsPair ? n - 1 : n);
}
