/**
 * The agent's object-store client, loaded on first use (an idle agent never needs @nats-io/obj), hashing
 * with node:crypto. nats.js hashes every chunk it reads with a pure-JS SHA-256 by default; under the agent's
 * `--lite-mode` that code runs interpreted, a few MB/s, and reading a 95 MB build that slowly outlasted the
 * broker's write deadline: the broker cut the connection mid-download and the download never finished.
 */
import type { NatsConnection } from "@nats-io/nats-core";
import type { ObjectStore } from "@nats-io/obj";
import type { ObjectStoreName } from "@kanade/protocol/wire";

export async function openObjectStore(nc: NatsConnection, bucket: ObjectStoreName): Promise<ObjectStore> {
  const { Objm, setSha256Backend } = await import("@nats-io/obj");
  setSha256Backend("native");
  return new Objm(nc).open(bucket);
}
