/** Schedules: the list, one schedule's status, next 10 fire times and coverage, and a YAML editor with errors by line. */
import type { ScheduleSummary, SchedulePreview } from "@kanade/protocol";
import { useState } from "react";
import { asError } from "../api/client.js";
import { useApi, useCall, useCanOperate } from "../api/context.js";
import { ErrorBox } from "../components/ErrorBox.js";
import { ManifestField } from "../components/ManifestField.js";
import { useT } from "../i18n/context.js";

function ScheduleList({ items, selected, onSelect }: { items: ScheduleSummary[]; selected: string; onSelect(id: string): void }) {
  const t = useT();
  if (items.length === 0) return <p className="muted">{t("schedules.empty")}</p>;
  return (
    <div className="scroll-x">
      <table data-testid="schedule-list">
        <thead>
          <tr>
            <th>{t("schedules.col.id")}</th>
            <th>{t("schedules.col.job")}</th>
            <th>{t("schedules.col.enabled")}</th>
            <th>{t("schedules.col.rule")}</th>
            <th>{t("schedules.col.next")}</th>
            <th>{t("schedules.col.last")}</th>
          </tr>
        </thead>
        <tbody>
          {items.map((s) => (
            <tr key={s.id} className={s.id === selected ? "selected" : ""}>
              <td>
                <button type="button" className="link" onClick={() => onSelect(s.id)}>{s.id}</button>
              </td>
              <td className="mono">{s.job}</td>
              <td>{s.enabled ? t("schedules.yes") : t("schedules.no")}</td>
              <td>{s.rule}</td>
              <td className="mono">{s.next_fire_at ?? (s.kind === "per_pc" ? t("schedules.perPc") : "—")}</td>
              <td className="mono">{s.last_fired_at ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function FireTimes({ preview }: { preview: SchedulePreview }) {
  const t = useT();
  if (preview.per_pc) return <p className="muted">{t("schedules.perPcHelp")}</p>;
  if (preview.fires.length === 0) return <p className="muted">{t("schedules.noFires")}</p>;
  return (
    <ol className="mono" data-testid="fire-times">
      {preview.fires.map((f) => <li key={f.occurrence}>{f.fire_at}</li>)}
    </ol>
  );
}

function ScheduleDetail({ id, onEdit }: { id: string; onEdit(yaml: string): void }) {
  const t = useT();
  const status = useCall("getScheduleStatus", { params: { id } }, { pollMs: 15_000 });
  const preview = useCall("previewSchedule", { params: { id }, query: { count: 10 } });
  const coverage = useCall("getScheduleCoverage", { params: { id } }, { pollMs: 15_000 });
  const detail = useCall("getSchedule", { params: { id } });
  return (
    <section className="card" data-testid="schedule-detail">
      <h2>{id}</h2>
      <ErrorBox error={status.error ?? preview.error ?? coverage.error} />
      {status.data && <p>{status.data.held === null ? t("schedules.firing") : t("schedules.held", { why: status.data.held })}</p>}
      {detail.data && <button type="button" onClick={() => onEdit(detail.data!.yaml)}>{t("schedules.edit")}</button>}
      <h3>{t("schedules.nextFires")}</h3>
      {preview.data && <FireTimes preview={preview.data} />}
      <h3>{t("schedules.coverage")}</h3>
      {coverage.data && (
        <>
          <p>{Object.entries(coverage.data.counts).map(([k, n]) => `${t(`schedules.state.${k as keyof typeof coverage.data.counts}`)} ${n}`).join(" · ")}</p>
          <div className="scroll-x">
            <table data-testid="coverage">
              <thead>
                <tr>
                  <th>PC</th>
                  <th>{t("schedules.col.state")}</th>
                  <th>{t("schedules.col.version")}</th>
                  <th>{t("schedules.col.finished")}</th>
                </tr>
              </thead>
              <tbody>
                {coverage.data.items.map((r) => (
                  <tr key={r.pc_id}>
                    <td className="mono">{r.pc_id}</td>
                    <td>{t(`schedules.state.${r.state}`)}</td>
                    <td className="mono">{r.version ?? "—"}</td>
                    <td className="mono">{r.finished_at ?? "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

function ScheduleEditor({ text, setText, onSaved }: { text: string; setText(v: string): void; onSaved(id: string): void }) {
  const t = useT();
  const { api } = useApi();
  const canOperate = useCanOperate();
  const [error, setError] = useState<Error | undefined>();
  const [preview, setPreview] = useState<SchedulePreview | undefined>();
  const [msg, setMsg] = useState<string | undefined>();
  const run = async (what: "preview" | "save"): Promise<void> => {
    setError(undefined);
    setMsg(undefined);
    setPreview(undefined);
    try {
      if (what === "preview") setPreview(await api.call("previewScheduleYaml", { body: text, query: { count: 10 } }));
      else {
        const r = await api.call("createSchedule", { body: text });
        setMsg(t("schedules.saved", { id: r.id }));
        onSaved(r.id);
      }
    } catch (err) {
      setError(asError(err));
    }
  };
  return (
    <section className="card" data-testid="schedule-editor">
      <h2>{t("schedules.editor")}</h2>
      <p className="muted small">{t("schedules.editorHelp")}</p>
      <ManifestField text={text} onChange={(v) => { setText(v); setMsg(undefined); setPreview(undefined); }} error={error} invalidCode="INVALID_SCHEDULE" invalidTitle={t("schedules.invalid")} errorTestId="schedule-error" />
      {msg && <p className="ok-text" role="status">{msg}</p>}
      {preview && <FireTimes preview={preview} />}
      <button type="button" onClick={() => void run("preview")} disabled={!text.trim() || !canOperate}>{t("schedules.preview")}</button>{" "}
      <button type="button" className="primary" onClick={() => void run("save")} disabled={!text.trim() || !canOperate}>{t("common.save")}</button>
    </section>
  );
}

export function SchedulesPage() {
  const t = useT();
  const list = useCall("listSchedules", {}, { pollMs: 30_000 });
  const [selected, setSelected] = useState("");
  const [text, setText] = useState("");
  return (
    <section>
      <h1>{t("schedules.title")}</h1>
      <ErrorBox error={list.error} />
      {list.data && <ScheduleList items={list.data.items} selected={selected} onSelect={setSelected} />}
      {selected && <ScheduleDetail key={selected} id={selected} onEdit={setText} />}
      <ScheduleEditor text={text} setText={setText} onSaved={(id) => { list.reload(); setSelected(id); }} />
    </section>
  );
}
