/** Fleet-wide software ("which PCs have app X, at which versions") and job-defined inventory columns. */
import { useState, type FormEvent } from "react";
import { useCall } from "../api/context.js";
import { DataView } from "../components/DataView.js";
import { ErrorBox } from "../components/ErrorBox.js";
import { useT } from "../i18n/context.js";
import { Link } from "../router.js";

function SearchForm({ placeholder, onSubmit, name }: { placeholder: string; onSubmit(v: string): void; name: string }) {
  const t = useT();
  const [v, setV] = useState("");
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    onSubmit(v.trim());
  };
  return (
    <form className="row" onSubmit={submit}>
      <input type="search" name={name} placeholder={placeholder} value={v} onChange={(e) => setV(e.target.value)} />
      <button type="submit">{t("common.search")}</button>
    </form>
  );
}

export function InventoryPage() {
  const t = useT();
  const [app, setApp] = useState<string | null>(null);
  const [job, setJob] = useState<string | null>(null);
  const apps = useCall("findInstalledApps", app === null ? null : { query: { app } });
  const jobInv = useCall("getJobFacts", job ? { params: { job } } : null);
  const rows = apps.data?.items ?? [];
  const versions = new Set(rows.map((r) => r.version ?? "—"));
  const pcs = new Set(rows.map((r) => r.pc_id));
  const jobRows = jobInv.data?.items;
  return (
    <section>
      <h1>{t("inv.title")}</h1>
      <section className="card">
        <h2>{t("inv.software")}</h2>
        <SearchForm name="app" placeholder={t("inv.appPlaceholder")} onSubmit={setApp} />
        <ErrorBox error={apps.error} />
        {apps.data && rows.length === 0 && <p className="muted">{t("inv.empty")}</p>}
        {rows.length > 0 && (
          <>
            <p className="muted">{t("inv.summary", { pcs: pcs.size, versions: versions.size })}</p>
            <table>
              <thead>
                <tr>
                  <th>{t("inv.col.pc")}</th>
                  <th>{t("inv.col.name")}</th>
                  <th>{t("inv.col.version")}</th>
                  <th>{t("inv.col.publisher")}</th>
                </tr>
              </thead>
              <tbody>
                {rows.slice(0, 2000).map((r, i) => (
                  <tr key={`${r.pc_id}-${r.name}-${i}`}>
                    <td className="mono"><Link to={`/agents/${encodeURIComponent(r.pc_id)}`}>{r.pc_id}</Link></td>
                    <td>{r.name}</td>
                    <td className="mono">{r.version ?? "—"}</td>
                    <td>{r.publisher ?? "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </section>
      <section className="card">
        <h2>{t("inv.jobColumns")}</h2>
        <SearchForm name="job" placeholder={t("inv.jobPlaceholder")} onSubmit={(v) => setJob(v || null)} />
        <ErrorBox error={jobInv.error} />
        {jobRows !== undefined && (jobRows.length === 0 ? <p className="muted">{t("inv.noRows")}</p> : <DataView value={jobRows} />)}
      </section>
    </section>
  );
}
