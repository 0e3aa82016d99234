/**
 * Support bundles that people at their PCs sent with kanade-client (KLP `support.upload_diagnostics`): the list,
 * filtered by PC, one bundle's content (note, state, recent runs, agent log tail), and a download as JSON.
 */
import type { SupportBundleDetail } from "@kanade/protocol";
import { useEffect, useState } from "react";
import { useApi, useCall } from "../api/context.js";
import { ErrorBox } from "../components/ErrorBox.js";
import { Ago } from "../components/Status.js";
import { useT } from "../i18n/context.js";
import { useOlderPages } from "../lib/use-older-pages.js";
import { bundleFileName, bundleFileText } from "../lib/bundle-download.js";
import { formatBytes } from "../lib/format.js";
import { Link, useRouter } from "../router.js";

/** The bytes are already here (the detail was fetched with the token): hand them to the browser as a file. */
function download(b: SupportBundleDetail): void {
  const url = URL.createObjectURL(new Blob([bundleFileText(b)], { type: "application/json" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = bundleFileName(b);
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function BundleDetail({ id }: { id: string }) {
  const t = useT();
  const detail = useCall("getSupportBundle", { params: { id } });
  const b = detail.data;
  return (
    <div className="card" data-testid="support-bundle-detail">
      <ErrorBox error={detail.error} />
      {b && (
        <>
          <div className="row">
            <h2>{t("support.bundle", { pc: b.pc_id })}</h2>
            <span className="spacer" />
            <button type="button" className="primary" onClick={() => download(b)}>{t("support.download")}</button>
          </div>
          <dl className="facts">
            <dt>{t("support.col.user")}</dt><dd className="mono">{b.user}</dd>
            <dt>{t("support.col.sent")}</dt><dd title={b.created_at}>{b.created_at}</dd>
            <dt>{t("support.col.note")}</dt><dd data-testid="support-note">{b.note ?? "—"}</dd>
            <dt>{t("support.agentVersion")}</dt><dd className="mono">{b.bundle.agent_version}</dd>
          </dl>
          <h3>{t("support.state")}</h3>
          <pre className="output">{JSON.stringify(b.bundle.state, null, 2)}</pre>
          <h3>{t("support.runs", { n: b.bundle.runs.length })}</h3>
          <pre className="output">{b.bundle.runs.map((r) => JSON.stringify(r)).join("\n") || "—"}</pre>
          <h3>{t("support.log", { n: b.bundle.log_tail.length })}</h3>
          <pre className="output" data-testid="support-log">{b.bundle.log_tail.join("\n")}</pre>
        </>
      )}
    </div>
  );
}

export function SupportBundlesPage() {
  const t = useT();
  const { api } = useApi();
  const { search, navigate } = useRouter();
  const pc = search.get("pc") ?? "";
  const selected = search.get("id") ?? "";
  const [pcText, setPcText] = useState(pc);
  useEffect(() => setPcText(pc), [pc]);
  const go = (next: { pc?: string; id?: string }): void => {
    const q = new URLSearchParams({ ...(pc ? { pc } : {}), ...(selected ? { id: selected } : {}), ...next });
    for (const [k, v] of [...q.entries()]) if (!v) q.delete(k);
    navigate(`/support?${q.toString()}`, { replace: true });
  };
  const query = { limit: 100, ...(pc ? { pc_id: pc } : {}) };
  const list = useCall("listSupportBundles", { query }, { pollMs: 10_000 });
  const { rows, cursor, loadOlder, error: olderError } = useOlderPages(
    list.data,
    (cursor) => api.call("listSupportBundles", { query: { ...query, cursor } }),
    pc,
  );
  return (
    <section>
      <h1>{t("support.title")}</h1>
      <p className="muted">{t("support.help")}</p>
      <div className="row filters">
        <input
          name="pc"
          placeholder={t("events.filterPc")}
          aria-label={t("events.filterPc")}
          value={pcText}
          onChange={(e) => setPcText(e.target.value)}
          onBlur={() => go({ pc: pcText.trim() })}
          onKeyDown={(e) => e.key === "Enter" && go({ pc: pcText.trim() })}
        />
      </div>
      <ErrorBox error={list.error ?? olderError} />
      {list.data && rows.length === 0 && <p className="muted">{t("support.empty")}</p>}
      {rows.length > 0 && (
        <div className="scroll-x">
          <table data-testid="support-bundles">
            <thead>
              <tr>
                <th>{t("support.col.sent")}</th>
                <th>{t("events.col.pc")}</th>
                <th>{t("support.col.user")}</th>
                <th>{t("support.col.note")}</th>
                <th>{t("support.col.size")}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((b) => (
                <tr key={b.id} data-id={b.id} className={b.id === selected ? "selected" : ""}>
                  <td title={b.created_at}>
                    <button type="button" className="link" onClick={() => go({ id: b.id })}><Ago iso={b.created_at} /></button>
                  </td>
                  <td className="mono"><Link to={`/agents/${encodeURIComponent(b.pc_id)}`}>{b.pc_id}</Link></td>
                  <td className="mono">{b.user}</td>
                  <td>{b.note ?? "—"}</td>
                  <td>{formatBytes(b.bytes)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor && <button type="button" onClick={() => void loadOlder()}>{t("activity.more")}</button>}
      {selected && <BundleDetail key={selected} id={selected} />}
    </section>
  );
}
