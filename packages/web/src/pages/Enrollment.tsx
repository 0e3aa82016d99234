/**
 * Who may join the fleet: agents waiting for a decision (and conflicts: an enrolled PC asking again under
 * another key), accept / reject each, and enrollment tokens for mass deployment (the secret shown once).
 */
import { apiRoutes, type EnrollmentView, type EnrollTokenCreated } from "@kanade/protocol";
import { useState } from "react";
import { asError } from "../api/client.js";
import { useApi, useCall, useCanOperate } from "../api/context.js";
import { Confirm } from "../components/Confirm.js";
import { CopyId } from "../components/CopyId.js";
import { ErrorBox } from "../components/ErrorBox.js";
import { Ago } from "../components/Status.js";
import { useT } from "../i18n/context.js";

/**
 * "Agent install": the commands a technician pastes into an elevated shell on a new PC. The backend URL is
 * this page's origin; the token authenticates the download and enrolls the PC.
 */
function InstallCommands({ token: fresh }: { token: string }) {
  const t = useT();
  const [typed, setTyped] = useState("");
  const token = typed || fresh;
  const q = `token=${encodeURIComponent(token || "<token>")}`;
  const origin = window.location.origin;
  return (
    <section className="card" data-testid="agent-install">
      <h2>{t("install.title")}</h2>
      <p className="muted small">{t("install.help")}</p>
      <label>
        {t("install.token")} <input value={token} onChange={(e) => setTyped(e.target.value)} placeholder="kanade-enroll-…" size={48} />
      </label>
      <h3>{t("install.windows")}</h3>
      <pre className="output">{`irm '${origin}${apiRoutes.getInstallerPowershell.path}?${q}' | iex`}</pre>
      <h3>{t("install.linux")}</h3>
      <pre className="output">{`curl -fsSL '${origin}${apiRoutes.getInstallerShell.path}?${q}' | sudo sh`}</pre>
    </section>
  );
}

type Decision = { what: "accept" | "reject"; row: EnrollmentView } | null;

export function EnrollmentPage() {
  const t = useT();
  const { api } = useApi();
  const canOperate = useCanOperate();
  const list = useCall("listEnrollments", { query: { state: "attention" } }, { pollMs: 5_000 });
  const tokens = useCall("listEnrollTokens", {}, { pollMs: 15_000 });
  const [decision, setDecision] = useState<Decision>(null);
  const [error, setError] = useState<Error | undefined>();
  const [group, setGroup] = useState("");
  const [uses, setUses] = useState(10);
  const [expires, setExpires] = useState("24h");
  const [created, setCreated] = useState<EnrollTokenCreated | null>(null);

  const decide = async (d: Exclude<Decision, null>): Promise<void> => {
    setDecision(null);
    try {
      await api.call(d.what === "accept" ? "acceptEnrollments" : "rejectEnrollments", { body: { pcs: [d.row.pc_id] } });
      setError(undefined);
      list.reload();
    } catch (err) {
      setError(asError(err));
    }
  };
  const createToken = async (): Promise<void> => {
    try {
      setCreated(await api.call("createEnrollToken", { body: { ...(group ? { group } : {}), uses, expires } }));
      setError(undefined);
      tokens.reload();
    } catch (err) {
      setError(asError(err));
    }
  };

  const rows = list.data?.items ?? [];
  return (
    <section>
      <h1>{t("enroll.title")}</h1>
      <p className="muted">{t("enroll.help")}</p>
      <ErrorBox error={error ?? list.error} />
      {rows.length === 0 && !list.loading && !list.error && <p className="notice">{t("enroll.none")}</p>}
      {rows.length > 0 && (
        <table data-testid="enrollments">
          <thead>
            <tr>
              <th>{t("enroll.col.pc")}</th>
              <th>{t("enroll.col.hostname")}</th>
              <th>{t("enroll.col.key")}</th>
              <th>{t("enroll.col.requested")}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.pc_id} data-testid={`enrollment-${r.pc_id}`}>
                <td className="mono">{r.pc_id}</td>
                <td>{r.conflict ? r.conflict.hostname : r.hostname}</td>
                <td>
                  <CopyId id={r.conflict ? r.conflict.public_key : r.public_key} />
                  {r.conflict && <p className="warn-text small">{t("enroll.conflict", { host: r.hostname })}</p>}
                </td>
                <td>
                  <Ago iso={r.conflict ? r.conflict.requested_at : r.requested_at} />
                </td>
                <td className="row">
                  <button type="button" className="approve" disabled={!canOperate} onClick={() => setDecision({ what: "accept", row: r })}>
                    {r.conflict ? t("enroll.acceptNewKey") : t("enroll.accept")}
                  </button>
                  <button type="button" className="danger" disabled={!canOperate} onClick={() => setDecision({ what: "reject", row: r })}>
                    {t("enroll.reject")}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {decision && (
        <Confirm
          message={t(decision.what === "accept" ? (decision.row.conflict ? "enroll.confirmReplace" : "enroll.confirmAccept") : "enroll.confirmReject", { pc: decision.row.pc_id })}
          confirmLabel={t(decision.what === "accept" ? "enroll.accept" : "enroll.reject")}
          tone={decision.what === "accept" ? "primary" : "danger"}
          onConfirm={() => void decide(decision)}
          onCancel={() => setDecision(null)}
        />
      )}

      <InstallCommands token={created?.token ?? ""} />

      <section className="card">
        <h2>{t("enroll.tokens")}</h2>
        <p className="muted small">{t("enroll.tokensHelp")}</p>
        <div className="row">
          <label>
            {t("enroll.group")} <input value={group} onChange={(e) => setGroup(e.target.value)} placeholder="lab" />
          </label>
          <label>
            {t("enroll.uses")} <input type="number" min={1} value={uses} onChange={(e) => setUses(Math.max(1, Number(e.target.value) || 1))} />
          </label>
          <label>
            {t("enroll.expires")} <input value={expires} onChange={(e) => setExpires(e.target.value)} />
          </label>
          <button type="button" disabled={!canOperate} onClick={() => void createToken()}>
            {t("enroll.createToken")}
          </button>
        </div>
        {created && (
          <p data-testid="new-token">
            {t("enroll.tokenOnce")} <CopyId id={created.token} full />
          </p>
        )}
        <ul>
          {(tokens.data?.items ?? []).map((tk) => (
            <li key={tk.token_id} className="small">
              <span className="mono">{tk.token_id}</span> · {tk.group ?? "—"} · {t("enroll.usesLeft", { n: tk.uses_left })} · {t("enroll.until", { at: tk.expires_at })}
            </li>
          ))}
        </ul>
      </section>
    </section>
  );
}
