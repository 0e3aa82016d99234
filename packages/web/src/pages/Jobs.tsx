/** The job catalog, a YAML editor to create/replace jobs, and the exec form with a target picker. */
import type { JobSummary } from "@kanade/protocol";
import { useMemo, useState } from "react";
import { ApiError, asError } from "../api/client.js";
import { useApi, useCall, useCanOperate } from "../api/context.js";
import { ErrorBox } from "../components/ErrorBox.js";
import { YamlEditor } from "../components/YamlEditor.js";
import { useT } from "../i18n/context.js";
import { buildExecRequest, type TargetChoice } from "../lib/exec-target.js";
import { issueLines } from "../lib/manifest-lines.js";
import { useRouter } from "../router.js";

function Catalog({ jobs, onEdit, onRun }: { jobs: JobSummary[]; onEdit(id: string): void; onRun(id: string): void }) {
  const t = useT();
  if (jobs.length === 0) return <p className="muted">{t("jobs.empty")}</p>;
  return (
    <table data-testid="job-catalog">
      <thead>
        <tr>
          <th>{t("jobs.col.id")}</th>
          <th>{t("jobs.col.version")}</th>
          <th>{t("jobs.col.shell")}</th>
          <th>{t("jobs.col.status")}</th>
          <th>{t("jobs.col.description")}</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {jobs.map((j) => (
          <tr key={j.id} data-job={j.id}>
            <td className="mono">{j.id}</td>
            <td>{j.version}</td>
            <td>{j.shell}</td>
            <td><span className={`badge ${j.status === "ACTIVE" ? "s-succeeded" : "s-failed"}`}>{j.status}</span></td>
            <td>{j.description ?? ""}</td>
            <td className="row end">
              <button type="button" onClick={() => onEdit(j.id)}>{t("jobs.load")}</button>
              <button type="button" onClick={() => onRun(j.id)} disabled={j.status !== "ACTIVE"}>{t("jobs.exec")}</button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Editor({ text, setText, onSaved }: { text: string; setText(v: string): void; onSaved(): void }) {
  const t = useT();
  const { api } = useApi();
  const canOperate = useCanOperate();
  const [error, setError] = useState<Error | undefined>();
  const [msg, setMsg] = useState<string | undefined>();
  const invalid = error instanceof ApiError && error.code === "INVALID_MANIFEST" ? error : undefined;
  const marks = useMemo(() => (invalid ? issueLines(text, invalid.details.length ? invalid.details : [{ path: "", message: invalid.message }]) : new Map<number, string[]>()), [invalid, text]);
  const save = async (): Promise<void> => {
    setError(undefined);
    setMsg(undefined);
    try {
      const r = await api.call("createJob", { body: text });
      setMsg(t("jobs.saved", { id: r.id, version: r.version }));
      onSaved();
    } catch (err) {
      setError(asError(err));
    }
  };
  return (
    <section className="card">
      <h2>{t("jobs.editor")}</h2>
      <p className="muted small">{t("jobs.editorHelp")}</p>
      <YamlEditor value={text} onChange={(v) => { setText(v); setMsg(undefined); }} marks={marks} />
      {invalid ? (
        <div className="error" role="alert" data-testid="manifest-error">
          <strong>{t("jobs.invalid")}</strong>
          <ul>{[...marks.entries()].flatMap(([line, msgs]) => msgs.map((m, i) => <li key={`${line}-${i}`}>{`L${line}: ${m}`}</li>))}</ul>
        </div>
      ) : (
        <ErrorBox error={error} />
      )}
      {msg && <p className="ok-text" role="status">{msg}</p>}
      <button type="button" className="primary" onClick={() => void save()} disabled={!text.trim() || !canOperate}>{t("common.save")}</button>
    </section>
  );
}

function ExecForm({ jobs, job, setJob, initialPcs }: { jobs: JobSummary[]; job: string; setJob(j: string): void; initialPcs: string[] }) {
  const t = useT();
  const { api } = useApi();
  const canOperate = useCanOperate();
  const { navigate } = useRouter();
  const agents = useCall("listAgents", {});
  const groups = useCall("listGroups", {});
  const [choice, setChoice] = useState<TargetChoice>({ mode: "pcs", pcs: initialPcs, groups: [], jitter: "" });
  const [error, setError] = useState<Error | string | undefined>();
  const [filter, setFilter] = useState("");
  const pcs = (agents.data?.items ?? []).filter((a) => a.pc_id.toLowerCase().includes(filter.trim().toLowerCase()));
  const toggle = (key: "pcs" | "groups", v: string): void =>
    setChoice((c) => ({ ...c, [key]: c[key].includes(v) ? c[key].filter((x) => x !== v) : [...c[key], v] }));
  const run = async (): Promise<void> => {
    setError(undefined);
    const r = buildExecRequest(choice);
    if (!r.ok) return setError(r.reason === "no_pcs" ? t("jobs.noPcs") : r.reason === "no_groups" ? t("jobs.noGroups") : (r.message ?? ""));
    try {
      const res = await api.call("execJob", { params: { job_id: job }, body: r.request });
      navigate(`/activity/${res.exec_id}`);
    } catch (err) {
      setError(asError(err));
    }
  };
  return (
    <section className="card" data-testid="exec-form">
      <h2>{t("jobs.run")}</h2>
      <div className="filters">
        <label>
          {t("jobs.job")}
          <select name="job" value={job} onChange={(e) => setJob(e.target.value)}>
            <option value="">{t("jobs.pickJob")}</option>
            {jobs.filter((j) => j.status === "ACTIVE").map((j) => <option key={j.id} value={j.id}>{j.id}</option>)}
          </select>
        </label>
        <fieldset className="row">
          <legend>{t("jobs.target")}</legend>
          {(["pcs", "groups", "all"] as const).map((m) => (
            <label key={m} className="inline">
              <input type="radio" name="mode" value={m} checked={choice.mode === m} onChange={() => setChoice((c) => ({ ...c, mode: m }))} />
              {t(`jobs.target.${m}`)}
            </label>
          ))}
        </fieldset>
        <label>
          {t("jobs.jitter")}
          <input name="jitter" value={choice.jitter} onChange={(e) => setChoice((c) => ({ ...c, jitter: e.target.value }))} placeholder="5m" />
        </label>
      </div>
      {choice.mode === "pcs" && (
        <div className="picker">
          <input type="search" placeholder={t("agents.searchPlaceholder")} value={filter} onChange={(e) => setFilter(e.target.value)} />
          <div className="picks">
            {pcs.slice(0, 500).map((a) => (
              <label key={a.pc_id} className="inline pick">
                <input type="checkbox" name="pc" value={a.pc_id} checked={choice.pcs.includes(a.pc_id)} onChange={() => toggle("pcs", a.pc_id)} />
                <span className="mono">{a.pc_id}</span>
              </label>
            ))}
          </div>
        </div>
      )}
      {choice.mode === "groups" && (
        <div className="picks">
          {(groups.data?.items ?? []).map((g) => (
            <label key={g.name} className="inline pick">
              <input type="checkbox" name="group" value={g.name} checked={choice.groups.includes(g.name)} onChange={() => toggle("groups", g.name)} />
              {g.name} <span className="muted">({g.pcs.length})</span>
            </label>
          ))}
        </div>
      )}
      {choice.mode === "all" && <p className="warn-text">{t("jobs.allWarning")}</p>}
      <ErrorBox error={error} />
      <button type="button" className="primary" disabled={!job || !canOperate} onClick={() => void run()}>{t("jobs.exec")}</button>
    </section>
  );
}

export function JobsPage() {
  const t = useT();
  const { api } = useApi();
  const { search } = useRouter();
  const jobs = useCall("listJobs", {});
  const [text, setText] = useState("");
  const [job, setJob] = useState("");
  const [loadError, setLoadError] = useState<Error | undefined>();
  const initialPcs = useMemo(() => (search.get("pcs") ?? "").split(",").filter(Boolean), [search]);
  const edit = async (id: string): Promise<void> => {
    setLoadError(undefined);
    try {
      setText(await api.call("exportJob", { params: { id } }));
    } catch (err) {
      setLoadError(asError(err));
    }
  };
  return (
    <section>
      <h1>{t("jobs.title")}</h1>
      <h2>{t("jobs.catalog")}</h2>
      <ErrorBox error={jobs.error ?? loadError} />
      {jobs.data && <Catalog jobs={jobs.data.items} onEdit={(id) => void edit(id)} onRun={setJob} />}
      <ExecForm jobs={jobs.data?.items ?? []} job={job} setJob={setJob} initialPcs={initialPcs} />
      <Editor text={text} setText={setText} onSaved={jobs.reload} />
    </section>
  );
}
