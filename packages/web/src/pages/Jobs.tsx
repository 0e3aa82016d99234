/** The job catalog (edit, run, revoke/unrevoke, delete), a YAML editor to create/replace jobs, and the exec form. */
import type { ExecPreview, ExecRequest, JobSummary } from "@kanade/protocol";
import { useMemo, useRef, useState, type RefObject } from "react";
import { asError } from "../api/client.js";
import { useApi, useCall, useCanOperate } from "../api/context.js";
import { Confirm } from "../components/Confirm.js";
import { ErrorBox } from "../components/ErrorBox.js";
import { JobStatusBadge } from "../components/Status.js";
import { TargetPicker } from "../components/TargetPicker.js";
import { ManifestField } from "../components/ManifestField.js";
import { useT } from "../i18n/context.js";
import { buildExecRequest, type TargetChoice } from "../lib/exec-target.js";
import { useRouter } from "../router.js";

type JobAction = { kind: "revoke" | "unrevoke" | "delete"; job: JobSummary };

function Catalog({ jobs, onEdit, onRun, onChanged }: { jobs: JobSummary[]; onEdit(id: string): void; onRun(id: string): void; onChanged(): void }) {
  const t = useT();
  const { api } = useApi();
  const canOperate = useCanOperate();
  const [pending, setPending] = useState<JobAction | null>(null);
  const [msg, setMsg] = useState<string | undefined>();
  const [error, setError] = useState<Error | undefined>();
  const act = async ({ kind, job }: JobAction): Promise<void> => {
    setPending(null);
    setError(undefined);
    setMsg(undefined);
    try {
      if (kind === "delete") await api.call("deleteJob", { params: { id: job.id } });
      else await api.call(kind === "revoke" ? "revokeJob" : "unrevokeJob", { params: { id: job.id } });
      setMsg(t(`jobs.${kind}d`, { job: job.id }));
      onChanged();
    } catch (err) {
      setError(asError(err));
    }
  };
  if (jobs.length === 0) return <p className="muted">{t("jobs.empty")}</p>;
  return (
    <>
      {msg && <p className="ok-text" role="status">{msg}</p>}
      <ErrorBox error={error} />
      <div className="scroll-x">
        <table data-testid="job-catalog" className="catalog">
          <thead>
            <tr>
              <th>{t("jobs.col.id")}</th>
              <th>{t("jobs.col.version")}</th>
              <th className="c-shell">{t("jobs.col.shell")}</th>
              <th>{t("jobs.col.approval")}</th>
              <th>{t("jobs.col.status")}</th>
              <th className="c-desc">{t("jobs.col.description")}</th>
              <th>
                <span className="sr-only">{t("jobs.col.actions")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {jobs.map((j) => (
              <tr key={j.id} data-job={j.id} data-status={j.status}>
                <td className="mono">{j.id}</td>
                <td>{j.version}</td>
                <td className="c-shell">{j.shell}</td>
                <td data-testid="approval">{j.require_approval ? <span className="badge st-pending_approval">{t("jobs.approvalRequired")}</span> : <span className="muted">{t("jobs.approvalNone")}</span>}</td>
                <td>
                  <JobStatusBadge status={j.status} />
                </td>
                <td className="c-desc">{j.description ?? ""}</td>
                <td>
                  <div className="actions">
                    <button type="button" onClick={() => onEdit(j.id)}>{t("jobs.load")}</button>
                    <button type="button" onClick={() => onRun(j.id)} disabled={j.status !== "ACTIVE"}>{t("jobs.exec")}</button>
                    {j.status === "ACTIVE" ? (
                      <button type="button" className="danger" disabled={!canOperate} onClick={() => setPending({ kind: "revoke", job: j })}>{t("activity.revoke")}</button>
                    ) : (
                      <button type="button" disabled={!canOperate} onClick={() => setPending({ kind: "unrevoke", job: j })}>{t("jobs.unrevoke")}</button>
                    )}
                    <button type="button" className="danger" disabled={!canOperate} onClick={() => setPending({ kind: "delete", job: j })}>{t("jobs.delete")}</button>
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {pending && (
        <Confirm
          message={t(`jobs.${pending.kind}Confirm`, { job: pending.job.id, version: pending.job.version })}
          confirmLabel={t(`jobs.${pending.kind}Action`, { job: pending.job.id })}
          tone={pending.kind === "unrevoke" ? "primary" : "danger"}
          onConfirm={() => void act(pending)}
          onCancel={() => setPending(null)}
        />
      )}
    </>
  );
}

function Editor({ text, setText, onSaved, anchor }: { text: string; setText(v: string): void; onSaved(): void; anchor: RefObject<HTMLElement | null> }) {
  const t = useT();
  const { api } = useApi();
  const canOperate = useCanOperate();
  const [error, setError] = useState<Error | undefined>();
  const [msg, setMsg] = useState<string | undefined>();
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
    <section className="card" ref={anchor} data-testid="job-editor">
      <h2>{t("jobs.editor")}</h2>
      <p className="muted small">{t("jobs.editorHelp")}</p>
      <ManifestField text={text} onChange={(v) => { setText(v); setMsg(undefined); }} error={error} invalidCode="INVALID_MANIFEST" invalidTitle={t("jobs.invalid")} errorTestId="manifest-error" />
      {msg && <p className="ok-text" role="status">{msg}</p>}
      <button type="button" className="primary" onClick={() => void save()} disabled={!text.trim() || !canOperate}>{t("common.save")}</button>
    </section>
  );
}

/** The confirmation an exec on more than one PC needs: what the backend resolved the target to. */
interface PendingRun {
  request: ExecRequest;
  preview: ExecPreview;
}

function ExecForm({ jobs, job, setJob, initialPcs, anchor }: { jobs: JobSummary[]; job: string; setJob(j: string): void; initialPcs: string[]; anchor: RefObject<HTMLElement | null> }) {
  const t = useT();
  const { api } = useApi();
  const canOperate = useCanOperate();
  const { navigate } = useRouter();
  const [choice, setChoice] = useState<TargetChoice>({ mode: "pcs", pcs: initialPcs, groups: [], jitter: "" });
  const [error, setError] = useState<Error | string | undefined>();
  const [confirm, setConfirm] = useState<PendingRun | null>(null);
  const [busy, setBusy] = useState(false);
  // A message about the previous choice is stale as soon as the choice changes.
  const change = (next: (c: TargetChoice) => TargetChoice): void => {
    setError(undefined);
    setChoice(next);
  };
  const fire = async (request: ExecRequest): Promise<void> => {
    setConfirm(null);
    setBusy(true);
    try {
      const res = await api.call("execJob", { params: { job_id: job }, body: request });
      navigate(`/activity/${res.exec_id}`);
    } catch (err) {
      setError(asError(err));
    } finally {
      setBusy(false);
    }
  };
  const run = async (): Promise<void> => {
    setError(undefined);
    const r = buildExecRequest(choice);
    if (!r.ok) return setError(r.reason === "no_pcs" ? t("jobs.noPcs") : r.reason === "no_groups" ? t("jobs.noGroups") : (r.message ?? ""));
    // One named PC is what the operator sees ticked; anything wider is confirmed with the count the backend resolves.
    if (r.request.pcs?.length === 1 && !r.request.groups && !r.request.all) return fire(r.request);
    setBusy(true);
    try {
      const preview = await api.call("previewExec", { params: { job_id: job }, body: r.request });
      if (preview.target_count === 0) return setError(t("jobs.noTargets"));
      if (preview.target_count === 1) return await fire(r.request);
      setConfirm({ request: r.request, preview });
    } catch (err) {
      setError(asError(err));
    } finally {
      setBusy(false);
    }
  };
  const confirmDetail = (p: ExecPreview): string | undefined =>
    [
      p.offline > 0 ? t("jobs.confirmOffline", { n: p.offline }) : "",
      p.unknown.length > 0 ? t("jobs.confirmUnknown", { n: p.unknown.length, pcs: p.unknown.slice(0, 5).join(", ") }) : "",
      p.require_approval ? t("jobs.confirmApproval") : "",
    ]
      .filter(Boolean)
      .join(" ") || undefined;
  return (
    <section className="card" data-testid="exec-form" ref={anchor}>
      <h2>{t("jobs.run")}</h2>
      <TargetPicker
        choice={choice}
        change={change}
        lead={
          <label>
            {t("jobs.job")}
            <select name="job" value={job} onChange={(e) => { setError(undefined); setJob(e.target.value); }}>
              <option value="">{t("jobs.pickJob")}</option>
              {jobs.filter((j) => j.status === "ACTIVE").map((j) => <option key={j.id} value={j.id}>{j.id}</option>)}
            </select>
          </label>
        }
      />
      <ErrorBox error={error} />
      <div className="row">
        <button type="button" className="primary" disabled={!job || !canOperate || busy} onClick={() => void run()}>
          {choice.mode === "pcs" && choice.pcs.length > 0 ? t("jobs.execOn", { n: choice.pcs.length }) : t("jobs.exec")}
        </button>
      </div>
      {confirm && (
        <Confirm
          message={t("jobs.confirmRun", { job: confirm.preview.job_id, version: confirm.preview.version, n: confirm.preview.target_count })}
          detail={confirmDetail(confirm.preview)}
          confirmLabel={t("jobs.runOn", { n: confirm.preview.target_count })}
          onConfirm={() => void fire(confirm.request)}
          onCancel={() => setConfirm(null)}
        />
      )}
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
  const editor = useRef<HTMLElement>(null);
  const runForm = useRef<HTMLElement>(null);
  const initialPcs = useMemo(() => (search.get("pcs") ?? "").split(",").filter(Boolean), [search]);
  const edit = async (id: string): Promise<void> => {
    setLoadError(undefined);
    try {
      setText(await api.call("exportJob", { params: { id } }));
      // The editor is below the fold: bring it into view with the YAML ready to change.
      editor.current?.scrollIntoView({ block: "start" });
      editor.current?.querySelector("textarea")?.focus({ preventScroll: true });
    } catch (err) {
      setLoadError(asError(err));
    }
  };
  return (
    <section>
      <h1>{t("jobs.title")}</h1>
      <h2>{t("jobs.catalog")}</h2>
      <ErrorBox error={jobs.error ?? loadError} />
      {jobs.data && (
        <Catalog
          jobs={jobs.data.items}
          onEdit={(id) => void edit(id)}
          onRun={(id) => {
            setJob(id);
            runForm.current?.scrollIntoView({ block: "start" });
          }}
          onChanged={jobs.reload}
        />
      )}
      <ExecForm jobs={jobs.data?.items ?? []} job={job} setJob={setJob} initialPcs={initialPcs} anchor={runForm} />
      <Editor text={text} setText={setText} onSaved={jobs.reload} anchor={editor} />
    </section>
  );
}
