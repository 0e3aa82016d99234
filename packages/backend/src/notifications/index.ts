/**
 * The notifications use case: publish a notice to the NOTIFICATIONS stream (one message per target subject),
 * withdraw it (a message too), list and show them, and the per-PC/per-user acknowledgement table projected
 * from the agents' events. A row is stored before it is published; one a stopped backend left unpublished is
 * published again at start (the JetStream msgID keeps that from duplicating).
 */
import {
  KanadeError,
  parseNotificationYaml,
  subjects,
  validateNotification,
  type AckState,
  type AckStatus,
  type AckStatusRow,
  type ListResponse,
  type NotificationDetail,
  type NotificationManifest,
  type NotificationMessage,
  type NotificationSummary,
} from "@kanade/protocol";
import type { Logger } from "pino";
import YAML from "yaml";
import type { Audit } from "../audit/index.js";
import type { Caller } from "../caller.js";
import type { NotificationRow, NotificationStore } from "./store.js";

export { openNotificationStore, type NotificationStore } from "./store.js";
export { restoreNotifications } from "./restore.js";

/** Publishes one message on one subject, deduplicated by `msgId`. */
export type NotificationPublish = (subject: string, message: NotificationMessage, msgId: string) => Promise<void>;

export interface NotificationsDeps {
  store: NotificationStore;
  publish: NotificationPublish;
  resolveTargets(target: NotificationManifest["target"]): Promise<string[]>;
  audit: Pick<Audit, "around">;
  log: Logger;
  clock: () => Date;
}

export interface Notifications {
  create(caller: Caller, body: unknown): Promise<{ id: string; subjects: string[] }>;
  list(limit: number): ListResponse<NotificationSummary>;
  get(id: string): NotificationDetail;
  ackStatus(id: string): Promise<AckStatus>;
  withdraw(caller: Caller, id: string): Promise<{ id: string; withdrawn_at: string; already: boolean }>;
  /** Publishes what a stopped backend left unpublished; failures are logged and retried at the next start. */
  republish(): Promise<void>;
}

/** The subjects a notice goes to: each named PC, each named group, or the whole fleet. */
export function noticeSubjects(target: NotificationManifest["target"]): string[] {
  return [
    ...(target.all ? [subjects.notificationsAll()] : []),
    ...(target.groups ?? []).map((g) => subjects.notificationsGroup(g)),
    ...(target.pcs ?? []).map((pc) => subjects.notificationsPc(pc)),
  ];
}

const invalid = (issues: readonly { path: string; message: string }[]): KanadeError =>
  new KanadeError("INVALID_NOTIFICATION", `The notification is invalid: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ")}`, {
    details: [...issues],
  });

const manifestOf = (r: NotificationRow): NotificationManifest => ({
  id: r.id, priority: r.priority, require_ack: r.require_ack, title: r.title, body: r.body, expires_at: r.expires_at, target: r.target,
});

export function createNotifications(deps: NotificationsDeps): Notifications {
  const { store } = deps;
  const now = (): Date => deps.clock();
  const mustGet = (id: string): NotificationRow => {
    const r = store.get(id);
    if (!r) throw new KanadeError("NOTIFICATION_NOT_FOUND", `No notification "${id}"`);
    return r;
  };
  const stateOf = (r: NotificationRow): NotificationSummary["state"] =>
    r.withdrawn_at ? "withdrawn" : Date.parse(r.expires_at) <= now().getTime() ? "expired" : "active";
  const summary = (r: NotificationRow, acknowledged: number): NotificationSummary => ({
    id: r.id, priority: r.priority, require_ack: r.require_ack, title: r.title, expires_at: r.expires_at, target: r.target,
    state: stateOf(r), created_at: r.created_at, created_by: r.created_by, withdrawn_at: r.withdrawn_at, withdrawn_by: r.withdrawn_by, acknowledged,
  });
  const publishNotice = async (r: NotificationRow): Promise<void> => {
    const msg: NotificationMessage = { kind: "notice", ...manifestOf(r), created_at: r.created_at, created_by: r.created_by };
    for (const s of noticeSubjects(r.target)) await deps.publish(s, msg, `${r.id}:notice:${s}`);
    store.markPublished(r.id, now().toISOString());
  };
  const publishWithdrawal = async (r: NotificationRow & { withdrawn_at: string }): Promise<void> => {
    const msg: NotificationMessage = { kind: "withdrawn", id: r.id, withdrawn_at: r.withdrawn_at, withdrawn_by: r.withdrawn_by ?? "" };
    for (const s of noticeSubjects(r.target)) await deps.publish(s, msg, `${r.id}:withdrawn:${s}`);
    store.markWithdrawalPublished(r.id, now().toISOString());
  };

  return {
    create: async (caller, body) => {
      const isYaml = typeof body === "string";
      const parsed = isYaml ? parseNotificationYaml(body, now()) : validateNotification(body, now());
      if (!parsed.ok) throw invalid(parsed.issues);
      const m = parsed.manifest;
      const row: NotificationRow = {
        ...m, yaml: isYaml ? body : YAML.stringify(body), created_at: now().toISOString(), created_by: caller.actor,
        published_at: null, withdrawn_at: null, withdrawn_by: null, withdrawal_published_at: null,
      };
      const subjectsOut = noticeSubjects(m.target);
      const entry = { action: "notification.create", target: m.id, payload: { priority: m.priority, require_ack: m.require_ack, expires_at: m.expires_at, target: m.target } };
      await deps.audit.around(caller, entry, async () => {
        if (!store.insert(row)) throw new KanadeError("CONFLICT", `A notification "${m.id}" exists already; notifications never change — use a new id`);
        try {
          await publishNotice(row);
        } catch (err) {
          store.remove(m.id);
          throw err;
        }
      });
      return { id: m.id, subjects: subjectsOut };
    },
    list: (limit) => {
      const rows = store.list(limit);
      const acked = store.ackedCounts(rows.map((r) => r.id));
      return { items: rows.map((r) => summary(r, acked.get(r.id) ?? 0)), next_cursor: null };
    },
    get: (id) => {
      const r = mustGet(id);
      return { ...summary(r, store.ackedCounts([id]).get(id) ?? 0), body: r.body, yaml: r.yaml };
    },
    ackStatus: async (id) => {
      const r = mustGet(id);
      const expired = Date.parse(r.expires_at) <= now().getTime();
      const receipts = store.receipts(id);
      const pcs = new Set(await deps.resolveTargets(r.target));
      for (const rc of receipts) pcs.add(rc.pc_id);
      const byPc = new Map<string, typeof receipts>();
      for (const rc of receipts) byPc.set(rc.pc_id, [...(byPc.get(rc.pc_id) ?? []), rc]);
      const rows: AckStatusRow[] = [];
      for (const pc of [...pcs].sort()) {
        const seen = byPc.get(pc) ?? [];
        if (seen.length === 0) rows.push({ pc_id: pc, user: null, state: expired ? "expired" : "pending", shown_at: null, acked_at: null });
        for (const rc of seen) {
          const state: AckState = rc.acked_at ? "acknowledged" : expired ? "expired" : rc.shown_at ? "shown" : "pending";
          rows.push({ pc_id: pc, user: rc.user, state, shown_at: rc.shown_at, acked_at: rc.acked_at });
        }
      }
      const counts = { acknowledged: 0, shown: 0, pending: 0, expired: 0 };
      for (const row of rows) counts[row.state]++;
      return { id, state: stateOf(r), require_ack: r.require_ack, expires_at: r.expires_at, counts, rows };
    },
    withdraw: async (caller, id) => {
      const r = mustGet(id);
      if (r.withdrawn_at) return { id, withdrawn_at: r.withdrawn_at, already: true };
      const at = now().toISOString();
      await deps.audit.around(caller, { action: "notification.withdraw", target: id, payload: {} }, async () => {
        store.setWithdrawn(id, at, caller.actor);
        try {
          await publishWithdrawal({ ...r, withdrawn_at: at, withdrawn_by: caller.actor });
        } catch (err) {
          store.setWithdrawn(id, null, null);
          throw err;
        }
      });
      return { id, withdrawn_at: at, already: false };
    },
    republish: async () => {
      for (const r of store.unpublished()) {
        try {
          if (r.published_at === null) await publishNotice(r);
          if (r.withdrawn_at !== null && r.withdrawal_published_at === null) await publishWithdrawal({ ...r, withdrawn_at: r.withdrawn_at });
        } catch (err) {
          deps.log.warn({ err, notification: r.id }, "could not publish a notification left unpublished; will try at the next start");
        }
      }
    },
  };
}
