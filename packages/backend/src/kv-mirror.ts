/** Follows a KV bucket with a watch: every entry (initial values, then changes) goes to `onEntry`. */
import type { KV } from "@nats-io/kv";
import type { Logger } from "pino";

export interface KvFollower {
  stop(): Promise<void>;
}

/**
 * Resolves once the initial values were delivered (or after 5 s, so a slow broker cannot hold start-up).
 * `value` is the parsed JSON of a PUT, or undefined for a delete/purge or a value that is not JSON (logged).
 */
export async function followKv(kv: KV, bucket: string, log: Logger, onEntry: (key: string, value: unknown, revision: number) => void): Promise<KvFollower> {
  const watcher = await kv.watch();
  let ready: () => void = () => undefined;
  const initialized = new Promise<void>((resolve) => (ready = resolve));
  const watching = (async () => {
    for await (const e of watcher) {
      let value: unknown;
      if (e.operation === "PUT") {
        try {
          value = e.json<unknown>();
        } catch (err) {
          log.warn({ bucket, key: e.key, err }, "KV entry is not JSON; ignored");
        }
      }
      onEntry(e.key, value, e.revision);
      if (e.isUpdate === false && e.delta === 0) ready();
    }
  })().catch((err: unknown) => log.error({ bucket, err }, "KV watch ended"));
  // An empty bucket yields no initial entries; don't wait on a marker that never comes.
  if ((await kv.status()).values === 0) ready();
  await Promise.race([initialized, new Promise((r) => setTimeout(r, 5_000))]);
  return {
    stop: async () => {
      watcher.stop();
      await watching;
    },
  };
}
