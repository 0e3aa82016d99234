/**
 * What the broker lets each kind of user do. An agent's rights are a template on the account's scoped
 * signing key: `{{name()}}` is replaced by the user's name, which is its pc_id, so every agent publishes
 * only under its own id and reads only its own command, request and inbox subjects. Agents get no
 * JetStream admin API (no stream create/delete/purge, no consumer on RESULTS or AUDIT).
 */
import { BUCKETS, OBJECT_STORES, resultOutputChunkSubject, STREAMS, subjects } from "@kanade/protocol";
import type { UserPermissions } from "./jwt.js";

/** The template token the broker replaces with the connecting user's name (its pc_id). */
export const PC = "{{name()}}";

const api = "$JS.API";
const kvStream = (bucket: string): string => `KV_${bucket}`;
const objStream = (store: string): string => `OBJ_${store}`;

/** Reading a whole KV bucket or object store: stream info, direct get, an (ordered) consumer and its flow control. */
function readStream(stream: string, filter = ">"): string[] {
  return [
    `${api}.STREAM.INFO.${stream}`,
    `${api}.DIRECT.GET.${stream}.${filter}`,
    // The object store reads metadata through the stream API (whole-store reads only).
    ...(stream.startsWith("OBJ_") ? [`${api}.STREAM.MSG.GET.${stream}`] : []),
    `${api}.CONSUMER.CREATE.${stream}.*.${filter}`,
    `${api}.CONSUMER.INFO.${stream}.*`,
    `${api}.CONSUMER.MSG.NEXT.${stream}.*`,
    `$JS.FC.${stream}.>`,
  ];
}

export function agentPermissions(): UserPermissions {
  const pub = [
    subjects.heartbeat(PC),
    subjects.hostPerf(PC),
    subjects.processPerf(PC),
    `inventory.${PC}.*`,
    subjects.result("*", PC),
    subjects.started("*", PC),
    // Its own timeline events only (agent start/stop, boot, logons, script events).
    subjects.pcEvent(PC, "*"),
    // Acks and "shown" receipts of local users, only under its own pc_id (the backend trusts the subject's).
    subjects.notificationAcked(PC, "*", "*"),
    subjects.notificationShown(PC, "*", "*"),
    // A local user's catalog, run and kill requests (KLP), answered by the backend.
    subjects.klpJobs(PC, "list"),
    subjects.klpJobs(PC, "execute"),
    subjects.klpJobs(PC, "kill"),
    subjects.klpSupport(PC),
    `${api}.INFO`,
    // The newest command per subject, replayed after a reconnect: only this PC's own, fleet-wide and group ones.
    `${api}.STREAM.INFO.${STREAMS.EXEC}`,
    `${api}.DIRECT.GET.${STREAMS.EXEC}.${subjects.commandsPc(PC)}`,
    `${api}.DIRECT.GET.${STREAMS.EXEC}.${subjects.commandsAll()}`,
    `${api}.DIRECT.GET.${STREAMS.EXEC}.${subjects.commandsGroup("*")}`,
    // Notices for itself, its groups and the fleet, read from NOTIFICATIONS by ordered consumers filtered to those subjects.
    `${api}.STREAM.INFO.${STREAMS.NOTIFICATIONS}`,
    ...[subjects.notificationsPc(PC), subjects.notificationsAll(), subjects.notificationsGroup("*")].map((f) => `${api}.CONSUMER.CREATE.${STREAMS.NOTIFICATIONS}.*.${f}`),
    `${api}.CONSUMER.INFO.${STREAMS.NOTIFICATIONS}.*`,
    `${api}.CONSUMER.DELETE.${STREAMS.NOTIFICATIONS}.*`,
    `${api}.CONSUMER.MSG.NEXT.${STREAMS.NOTIFICATIONS}.*`,
    `$JS.FC.${STREAMS.NOTIFICATIONS}.>`,
    // Its own group membership only.
    ...readStream(kvStream(BUCKETS.agentGroups), `$KV.${BUCKETS.agentGroups}.${PC}`),
    // Read only: standing orders (agent-side schedules) are signed, but no agent may write or withdraw one either.
    ...[BUCKETS.agentConfig, BUCKETS.scriptStatus, BUCKETS.scriptCurrent, BUCKETS.fleetConfig, BUCKETS.scheduleOrders].flatMap((b) => readStream(kvStream(b))),
    ...[OBJECT_STORES.scripts, OBJECT_STORES.agentReleases].flatMap((s) => readStream(objStream(s))),
    // Full script output: write only, never read. Chunks only under its own pc_id (so who wrote an object
    // shows in its chunk id, which the backend checks against the result naming it); a metadata record
    // may be written for any name (its subject is the name in base64, which no template can bind), but
    // without a read right an agent cannot learn another PC's object names or chunk ids.
    resultOutputChunkSubject(`${PC}.*`),
    `$O.${OBJECT_STORES.resultOutput}.M.*`,
  ];
  const sub = [
    subjects.commandsPc(PC),
    subjects.commandsAll(),
    subjects.commandsGroup("*"),
    subjects.killWildcard(),
    `agents.${PC}.>`,
    subjects.notificationsAll(),
    subjects.notificationsGroup("*"),
    subjects.notificationsPc(PC),
    `${subjects.agentInboxPrefix(PC)}.>`,
  ];
  // One reply per request received (ping, logs, tail, perf lease).
  return { pub: { allow: pub }, sub: { allow: sub }, resp: { max: 1, ttl: 0 } };
}

/** The shared enrollment credential: it may ask to join and read its replies, nothing else. */
export function enrollPermissions(): UserPermissions {
  return { pub: { allow: [subjects.enroll()] }, sub: { allow: [`${subjects.enrollInboxPrefix()}.>`] } };
}
