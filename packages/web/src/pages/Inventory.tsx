/**
 * Inventory that reads like inventory: which PCs have an application (one row per package and version, with
 * its PCs) or lack it, and an inventory job's facts under the manifest's `display` labels, picked from the
 * inventory jobs, with sizes in units and times as "how long ago". The query lives in the URL.
 */
import { packageVersions, type JobFactsTable } from "@kanade/protocol";
import { useEffect, useState, type FormEvent } from "react";
import { useCall } from "../api/context.js";
import { ErrorBox } from "../components/ErrorBox.js";
import { Ago } from "../components/Status.js";
import { useI18n, useT } from "../i18n/context.js";
import { formatFact } from "../lib/fact-format.js";
import { Link, useRouter } from "../router.js";

type Mode = "has" | "missing";

function AppSearch({ app, mode, onSearch }: { app: string; mode: Mode; onSearch(app: string, mode: Mode): void }) {
  const t = useT();
  const [v, setV] = useState(app);
  const [m, setM] = useState<Mode>(mode);
  useEffect(() => setV(app), [app]);
  useEffect(() => setM(mode), [mode]);
  const submit = (e: FormEvent): void => {
    e.preventDefault();
    onSearch(v.trim(), m);
  };
  return (
    <form className="row" onSubmit={submit}>
      <input type="search" name="app" aria-label={t("inv.appPlaceholder")} placeholder={t("inv.appPlaceholder")} value={v} onChange={(e) => setV(e.target.value)} />
      <label className="inline">
        <input type="radio" name="mode" value="has" checked={m === "has"} onChange={() => setM("has")} />
        {t("inv.modeHas")}
      </label>
      <label className="inline">
        <input type="radio" name="mode" value="missing" checked={m === "missing"} onChange={() => setM("missing")} />
        {t("inv.modeMissing")}
      </label>
      <button type="submit">{t("common.search")}</button>
    </form>
  );
}

function WhoHas({ app }: { app: string }) {
  const t = useT();
  const apps = useCall("findInstalledApps", { query: { app } });
  const rows = apps.data?.items ?? [];
  const versions = packageVersions(rows);
  const pcs = new Set(rows.map((r) => r.pc_id)).size;
  return (
    <>
      <ErrorBox error={apps.error} />
      {apps.data && rows.length === 0 && <p className="muted" data-testid="inv-empty">{t("inv.empty", { app })}</p>}
      {versions.length > 0 && (
        <>
          <p className="muted" data-testid="inv-summary">{t("inv.summary", { versions: versions.length, pcs })}</p>
          <div className="scroll-x">
            <table data-testid="package-versions">
              <thead>
                <tr>
                  <th>{t("inv.col.name")}</th>
                  <th>{t("inv.col.version")}</th>
                  <th>{t("inv.col.publisher")}</th>
                  <th className="num">{t("inv.col.pcs")}</th>
                </tr>
              </thead>
              <tbody>
                {versions.map((p) => (
                  <tr key={`${p.name}\u0000${p.version ?? ""}\u0000${p.publisher ?? ""}`} data-package={p.name} data-version={p.version ?? ""}>
                    <td>{p.name}</td>
                    <td className="mono">{p.version ?? "—"}</td>
                    <td>{p.publisher ?? "—"}</td>
                    <td className="num">
                      <details>
                        <summary data-testid="pc-count">{p.pcs.length}</summary>
                        <ul className="pc-list">
                          {p.pcs.slice(0, 500).map((pc) => (
                            <li key={pc} className="mono"><Link to={`/agents/${encodeURIComponent(pc)}`}>{pc}</Link></li>
                          ))}
                        </ul>
                      </details>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>
  );
}

function WhoLacks({ app }: { app: string }) {
  const t = useT();
  const r = useCall("findMissingApp", { query: { app } });
  const d = r.data;
  return (
    <>
      <ErrorBox error={r.error} />
      {d && (
        <p className="muted" data-testid="inv-missing-summary">
          {t("inv.missingSummary", { n: d.items.length, app })}
          {d.without_inventory.length > 0 && <> {t("inv.withoutInventory", { n: d.without_inventory.length })}</>}
        </p>
      )}
      {d && d.items.length > 0 && (
        <div className="scroll-x">
          <table data-testid="missing-pcs">
            <thead>
              <tr>
                <th>{t("inv.col.pc")}</th>
                <th>{t("inv.col.swCollected")}</th>
              </tr>
            </thead>
            <tbody>
              {d.items.slice(0, 2000).map((x) => (
                <tr key={x.pc_id} data-pc={x.pc_id}>
                  <td className="mono"><Link to={`/agents/${encodeURIComponent(x.pc_id)}`}>{x.pc_id}</Link></td>
                  <td><Ago iso={x.collected_at} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

/** An inventory job's fleet table under its `display` labels (every fact when it has none), values formatted. */
function JobFacts({ table }: { table: JobFactsTable }) {
  const t = useT();
  const { lang } = useI18n();
  const columns = table.columns.length
    ? table.columns
    : [...new Set(table.items.flatMap((r) => Object.keys(r.facts)))].sort().map((field) => ({ field, label: field }));
  if (table.items.length === 0) return <p className="muted">{t("inv.noRows")}</p>;
  return (
    <div className="scroll-x">
      <table data-testid="job-facts">
        <thead>
          <tr>
            <th>{t("inv.col.pc")}</th>
            {columns.map((c) => <th key={c.field} data-field={c.field}>{c.label}</th>)}
            <th>{t("inv.col.collected")}</th>
          </tr>
        </thead>
        <tbody>
          {table.items.map((r) => (
            <tr key={r.pc_id} data-pc={r.pc_id}>
              <td className="mono"><Link to={`/agents/${encodeURIComponent(r.pc_id)}`}>{r.pc_id}</Link></td>
              {columns.map((c) => <td key={c.field}>{formatFact(c.field, r.facts[c.field], lang)}</td>)}
              <td><Ago iso={r.collected_at} /></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function InventoryPage() {
  const t = useT();
  const { search, navigate, path } = useRouter();
  const app = search.get("app") ?? "";
  const mode: Mode = search.get("missing") === "1" ? "missing" : "has";
  const job = search.get("job") ?? "";
  const jobs = useCall("listJobs", {});
  const facts = useCall("getJobFacts", job ? { params: { job } } : null);
  const go = (next: { app?: string; mode?: Mode; job?: string }): void => {
    const p = new URLSearchParams();
    const a = next.app ?? app;
    const m = next.mode ?? mode;
    const j = next.job ?? job;
    if (a) p.set("app", a);
    if (a && m === "missing") p.set("missing", "1");
    if (j) p.set("job", j);
    navigate(`${path}${p.toString() ? `?${p.toString()}` : ""}`, { replace: true });
  };
  const inventoryJobs = (jobs.data?.items ?? []).filter((j) => j.inventory);
  const table = facts.data && "columns" in facts.data ? facts.data : undefined;
  return (
    <section>
      <h1>{t("inv.title")}</h1>
      <section className="card">
        <h2>{t("inv.software")}</h2>
        <AppSearch app={app} mode={mode} onSearch={(a, m) => go({ app: a, mode: m })} />
        {app && (mode === "missing" ? <WhoLacks app={app} /> : <WhoHas app={app} />)}
      </section>
      <section className="card">
        <h2>{t("inv.jobColumns")}</h2>
        <ErrorBox error={jobs.error} />
        {jobs.data && inventoryJobs.length === 0 ? (
          <p className="muted">{t("inv.noInventoryJobs")}</p>
        ) : (
          <label>
            {t("inv.pickJob")}
            <select name="job" value={job} onChange={(e) => go({ job: e.target.value })}>
              <option value="">{t("jobs.pickJob")}</option>
              {inventoryJobs.map((j) => (
                <option key={j.id} value={j.id}>
                  {j.id}{j.description ? ` — ${j.description}` : ""}
                </option>
              ))}
            </select>
          </label>
        )}
        <ErrorBox error={facts.error} />
        {table && <JobFacts table={table} />}
      </section>
    </section>
  );
}
