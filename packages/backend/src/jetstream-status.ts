/** Usage vs limits of every JetStream stream, KV bucket (`KV_*`) and object store (`OBJ_*`). */
import type { StreamInfo } from "@nats-io/jetstream";
import type { JetStreamUsage } from "@kanade/protocol";
import type { Nats } from "./nats.js";

const NANOS_PER_SEC = 1e9;

export function usageOf(info: StreamInfo): JetStreamUsage {
  const name = info.config.name;
  const [kind, shown]: [JetStreamUsage["kind"], string] = name.startsWith("KV_")
    ? ["kv", name.slice(3)]
    : name.startsWith("OBJ_")
      ? ["object_store", name.slice(4)]
      : ["stream", name];
  const maxBytes = info.config.max_bytes ?? -1;
  return {
    kind,
    name: shown,
    messages: info.state.messages,
    bytes: info.state.bytes,
    max_bytes: maxBytes,
    max_msgs: info.config.max_msgs ?? -1,
    max_age_secs: Math.round((info.config.max_age ?? 0) / NANOS_PER_SEC),
    bytes_used_pct: maxBytes > 0 ? (info.state.bytes / maxBytes) * 100 : null,
    consumers: info.state.consumer_count,
  };
}

/** Every stream the account holds, sorted by kind then name. */
export async function jetstreamUsage(nats: Nats): Promise<JetStreamUsage[]> {
  const out: JetStreamUsage[] = [];
  for await (const info of nats.jsm.streams.list()) out.push(usageOf(info));
  const order = { stream: 0, kv: 1, object_store: 2 } as const;
  return out.sort((a, b) => order[a.kind] - order[b.kind] || a.name.localeCompare(b.name));
}
