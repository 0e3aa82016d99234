/** Notifications: the list, one notification with its acknowledgement table and withdraw, and a YAML editor with errors by line. */
import type { AckStatus, NotificationSummary } from "@kanade/protocol";
import { useEffect, useState } from "react";
import { asError } from "../api/client.js";
import { useApi, useCall, useCanOperate } from "../api/context.js";
import { Confirm } from "../components/Confirm.js";
import { ErrorBox } from "../components/ErrorBox.js";
import { ManifestField } from "../components/ManifestField.js";
import { useT } from "../i18n/context.js";

const TEMPLATE = `id: example-notice
priority: info            # info | warning | emergency
require_ack: false
title: Example
body: |
  Written in **Markdown**.
expires_at: ${new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10)}T00:00:00Z
target:
  all: true               # or pcs: [...] / groups: [...]
`;

function NotificationList({ items, selected, onSelect }: { items: NotificationSummary[]; selected: string; onSelect(id: string): void }) {
  const t = useT();
  if (items.length === 0) return <p className="muted">{t("notifications.empty")}</p>;
  return (
    <div className="scroll-x">
      <table data-testid="notification-list">
        <thead>
          <tr>
            <th>{t("notifications.col.id")}</th>
            <th>{t("notifications.col.priority")}</th>
            <th>{t("notifications.col.state")}</th>
            <th>{t("notifications.col.title")}</th>
            <th>{t("notifications.col.expires")}</th>
            <th>{t("notifications.col.acked")}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((n) => (
            <tr key={n.id} className={n.id === selected ? "selected" : ""}>
              <td>
                <button type="button" className="link" onClick={() => onSelect(n.id)}>{n.id}</button>
              </td>
              <td>{t(`notifications.priority.${n.priority}`)}</td>
              <td>{t(`notifications.state.${n.state}`)}</td>
              <td>{n.title}</td>
              <td className="mono">{n.expires_at}</td>
              <td>{n.require_ack ? n.acknowledged : "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function AckTable({ status }: { status: AckStatus }) {
  const t = useT();
  return (
    <>
      <p data-testid="ack-counts">{(["acknowledged", "shown", "pending", "expired"] as const).map((k) => `${t(`notifications.ack.${k}`)} ${status.counts[k]}`).join(" · ")}</p>
      <div className="scroll-x">
        <table data-testid="ack-table">
          <thead>
            <tr>
              <th>PC</th>
              <th>{t("notifications.col.user")}</th>
              <th>{t("notifications.col.state")}</th>
              <th>{t("notifications.col.shown")}</th>
              <th>{t("notifications.col.ackedAt")}</th>
            </tr>
          </thead>
          <tbody>
            {status.rows.map((r) => (
              <tr key={`${r.pc_id} ${r.user ?? ""}`} data-state={r.state}>
                <td className="mono">{r.pc_id}</td>
                <td className="mono">{r.user ?? <span className="muted">{t("notifications.noUser")}</span>}</td>
                <td>{t(`notifications.ack.${r.state}`)}</td>
                <td className="mono">{r.shown_at ?? "—"}</td>
                <td className="mono">{r.acked_at ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}

function NotificationDetail({ id, onChanged }: { id: string; onChanged(): void }) {
  const t = useT();
  const { api } = useApi();
  const canOperate = useCanOperate();
  const detail = useCall("getNotification", { params: { id } });
  const status = useCall("getNotificationAckStatus", { params: { id } }, { pollMs: 3_000 });
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  // The list's "acknowledged" column follows the table rather than waiting for its own refresh.
  const acked = status.data?.counts.acknowledged;
  useEffect(() => {
    if (acked !== undefined) onChanged();
  }, [acked, onChanged]);
  const withdraw = async (): Promise<void> => {
    setAsking(false);
    setError(undefined);
    try {
      await api.call("withdrawNotification", { params: { id } });
      detail.reload();
      status.reload();
      onChanged();
    } catch (err) {
      setError(asError(err));
    }
  };
  const d = detail.data;
  return (
    <section className="card" data-testid="notification-detail">
      <h2>{d ? d.title : id}</h2>
      <ErrorBox error={detail.error ?? status.error ?? error} />
      {d && (
        <>
          <p>
            <span className="mono">{d.id}</span> · {t(`notifications.priority.${d.priority}`)} · {t(`notifications.state.${d.state}`)}
            {d.require_ack ? ` · ${t("notifications.requireAck")}` : ""}
          </p>
          {d.withdrawn_at && <p className="muted">{t("notifications.withdrawn", { at: d.withdrawn_at, by: d.withdrawn_by ?? "?" })}</p>}
          {/* The body is Markdown shown as the operator wrote it; kanade-client renders it. */}
          <pre className="mono">{d.body}</pre>
          {d.state !== "withdrawn" && canOperate && (
            <button type="button" className="danger" onClick={() => setAsking(true)}>{t("notifications.withdraw")}</button>
          )}
        </>
      )}
      <h3>{t("notifications.ackTable")}</h3>
      {status.data && <AckTable status={status.data} />}
      {asking && (
        <Confirm message={t("notifications.withdrawConfirm", { id })} confirmLabel={t("notifications.withdraw")} onConfirm={() => void withdraw()} onCancel={() => setAsking(false)} />
      )}
    </section>
  );
}

function NotificationEditor({ onSent }: { onSent(id: string): void }) {
  const t = useT();
  const { api } = useApi();
  const canOperate = useCanOperate();
  const [text, setText] = useState(TEMPLATE);
  const [error, setError] = useState<Error | undefined>();
  const [msg, setMsg] = useState<string | undefined>();
  const send = async (): Promise<void> => {
    setError(undefined);
    setMsg(undefined);
    try {
      const r = await api.call("createNotification", { body: text });
      setMsg(t("notifications.sent", { id: r.id }));
      onSent(r.id);
    } catch (err) {
      setError(asError(err));
    }
  };
  return (
    <section className="card" data-testid="notification-editor">
      <h2>{t("notifications.editor")}</h2>
      <p className="muted small">{t("notifications.editorHelp")}</p>
      <ManifestField text={text} onChange={(v) => { setText(v); setMsg(undefined); }} error={error} invalidCode="INVALID_NOTIFICATION" invalidTitle={t("notifications.invalid")} errorTestId="notification-error" />
      {msg && <p className="ok-text" role="status">{msg}</p>}
      <button type="button" className="primary" onClick={() => void send()} disabled={!text.trim() || !canOperate}>{t("notifications.send")}</button>
    </section>
  );
}

export function NotificationsPage() {
  const t = useT();
  const list = useCall("listNotifications", { query: {} }, { pollMs: 15_000 });
  const [selected, setSelected] = useState("");
  return (
    <section>
      <h1>{t("notifications.title")}</h1>
      <p className="muted small">{t("notifications.help")}</p>
      <ErrorBox error={list.error} />
      {list.data && <NotificationList items={list.data.items} selected={selected} onSelect={setSelected} />}
      {selected && <NotificationDetail key={selected} id={selected} onChanged={list.reload} />}
      <NotificationEditor onSent={(id) => { list.reload(); setSelected(id); }} />
    </section>
  );
}
