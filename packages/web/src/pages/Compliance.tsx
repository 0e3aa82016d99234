/** Compliance: each check's fleet pass rate, and one check's PCs (failing first, since when). */
import { useState } from "react";
import { useCall } from "../api/context.js";
import { ErrorBox } from "../components/ErrorBox.js";
import { useT } from "../i18n/context.js";

const pct = (rate: number | null): string => (rate === null ? "—" : `${Math.round(rate * 1000) / 10}%`);

function CheckDetail({ job }: { job: string }) {
  const t = useT();
  const d = useCall("getCompliance", { params: { job } }, { pollMs: 30_000 });
  return (
    <section className="card" data-testid="compliance-detail">
      <h2>{job}</h2>
      <ErrorBox error={d.error} />
      {d.data && (
        <div className="scroll-x">
          <table>
            <thead>
              <tr>
                <th>PC</th>
                <th>{t("compliance.col.verdict")}</th>
                <th>{t("compliance.col.since")}</th>
                <th>{t("compliance.col.checked")}</th>
                <th>{t("compliance.col.detail")}</th>
              </tr>
            </thead>
            <tbody>
              {d.data.items.map((r) => (
                <tr key={r.pc_id} className={`verdict-${r.verdict}`}>
                  <td className="mono">{r.pc_id}</td>
                  <td>{t(`compliance.verdict.${r.verdict}`)}</td>
                  <td className="mono">{r.since}</td>
                  <td className="mono">{r.checked_at}</td>
                  <td>{r.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

export function CompliancePage() {
  const t = useT();
  const checks = useCall("listCompliance", {}, { pollMs: 30_000 });
  const [selected, setSelected] = useState("");
  return (
    <section>
      <h1>{t("compliance.title")}</h1>
      <ErrorBox error={checks.error} />
      {checks.data && checks.data.items.length === 0 && <p className="muted">{t("compliance.empty")}</p>}
      {checks.data && checks.data.items.length > 0 && (
        <div className="scroll-x">
          <table data-testid="compliance-checks">
            <thead>
              <tr>
                <th>{t("compliance.col.check")}</th>
                <th>{t("compliance.col.passRate")}</th>
                <th>{t("compliance.verdict.pass")}</th>
                <th>{t("compliance.verdict.fail")}</th>
                <th>{t("compliance.verdict.unknown")}</th>
              </tr>
            </thead>
            <tbody>
              {checks.data.items.map((c) => (
                <tr key={c.job_id}>
                  <td>
                    <button type="button" className="link" onClick={() => setSelected(c.job_id)}>{c.job_id}</button>
                  </td>
                  <td>{pct(c.pass_rate)}</td>
                  <td>{c.pass}</td>
                  <td>{c.fail}</td>
                  <td>{c.unknown}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {selected && <CheckDetail key={selected} job={selected} />}
    </section>
  );
}
