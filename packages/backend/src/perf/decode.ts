/** Decodes a NATS payload as JSON and validates it; logs and returns undefined when it is not acceptable. */
import type { z } from "zod";
import type { Logger } from "pino";

const decoder = new TextDecoder();

export function decodeJson<T>(schema: z.ZodType<T>, data: Uint8Array, subject: string, log: Logger): T | undefined {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(data));
  } catch (err) {
    log.warn({ subject, err }, "dropping message that is not JSON");
    return undefined;
  }
  const r = schema.safeParse(value);
  if (!r.success) {
    log.warn({ subject, problem: r.error.message }, "dropping invalid message");
    return undefined;
  }
  return r.data;
}
