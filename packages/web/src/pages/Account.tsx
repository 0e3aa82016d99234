/**
 * The signed-in account's own settings: two-factor sign-in (TOTP). Setting it up shows the QR code the
 * backend drew and the secret, turns it on with a first code, then shows the recovery codes once.
 * Admins also find the invitations here.
 */
import { useBusy } from "../lib/use-busy.js";
import { ROLES, type Role, type TotpEnrollment } from "@kanade/protocol";
import { useState, type FormEvent } from "react";
import { asError } from "../api/client.js";
import { useApi, useCall } from "../api/context.js";
import { ErrorBox } from "../components/ErrorBox.js";
import { useT } from "../i18n/context.js";

/** Scan the QR code, type the first code: TOTP is on; answers the recovery codes. */
function Enrol({ enrollment, onConfirmed }: { enrollment: TotpEnrollment; onConfirmed(codes: string[]): void }) {
  const t = useT();
  const { api } = useApi();
  const [code, setCode] = useState("");
  const { busy, error, run } = useBusy();
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    await run(async () => {
      onConfirmed((await api.call("confirmTotp", { body: { code } })).recovery_codes);
    });
  };
  return (
    <form onSubmit={(e) => void submit(e)} className="totp-form" data-testid="totp-enrol">
      <p>{t("account.totpScan")}</p>
      <img src={enrollment.qr_data_url} alt="otpauth QR" width={200} height={200} className="totp-qr" data-testid="totp-qr" />
      <p className="small">
        {t("account.totpSecret")}: <code className="mono" data-testid="totp-secret">{enrollment.secret}</code>
      </p>
      <label>
        {t("signin.code")}
        <input name="code" autoComplete="one-time-code" inputMode="numeric" value={code} onChange={(e) => setCode(e.target.value)} />
      </label>
      <ErrorBox error={error} />
      <button type="submit" className="primary" disabled={busy || !code.trim()}>
        {t("account.totpConfirm")}
      </button>
    </form>
  );
}

function Disable({ onDisabled }: { onDisabled(): void }) {
  const t = useT();
  const { api } = useApi();
  const [code, setCode] = useState("");
  const [error, setError] = useState<Error | undefined>();
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    try {
      await api.call("disableTotp", { body: { code } });
      onDisabled();
    } catch (err) {
      setError(asError(err));
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} className="totp-form" data-testid="totp-disable">
      <p className="muted small">{t("account.totpDisableHelp")}</p>
      <label>
        {t("signin.code")}
        <input name="disable_code" autoComplete="one-time-code" inputMode="numeric" value={code} onChange={(e) => setCode(e.target.value)} />
      </label>
      <ErrorBox error={error} />
      <button type="submit" disabled={!code.trim()}>{t("account.totpDisable")}</button>
    </form>
  );
}

/** The two-factor section; `onEnrolled` tells the shell an account that had to enrol now may go on. */
export function TotpSection({ onEnrolled }: { onEnrolled?: () => void }) {
  const t = useT();
  const { api, me } = useApi();
  const status = useCall("getTotpStatus", me.kind === "account" ? {} : null);
  const [enrollment, setEnrollment] = useState<TotpEnrollment | undefined>();
  const [recovery, setRecovery] = useState<string[] | undefined>();
  const [error, setError] = useState<Error | undefined>();
  if (me.kind !== "account") return <p className="muted">{t("account.staticToken")}</p>;
  const start = async (): Promise<void> => {
    try {
      setEnrollment(await api.call("enrollTotp"));
      setError(undefined);
    } catch (err) {
      setError(asError(err));
    }
  };
  const s = status.data;
  return (
    <section className="card" data-testid="totp-section">
      <h2>{t("account.totpTitle")}</h2>
      <ErrorBox error={status.error ?? error} />
      {recovery ? (
        <div data-testid="totp-recovery">
          <p className="warn-text">{t("account.totpRecovery")}</p>
          <pre className="output">{recovery.join("\n")}</pre>
          <button type="button" className="primary" onClick={() => { setRecovery(undefined); status.reload(); onEnrolled?.(); }}>
            {t("account.totpDone")}
          </button>
        </div>
      ) : s === undefined ? null : s.enabled ? (
        <>
          <p data-testid="totp-state">{t("account.totpOn", { left: String(s.recovery_codes_left) })}</p>
          <Disable onDisabled={() => status.reload()} />
        </>
      ) : (
        <>
          {s.required && <p className="warn-text" role="status">{t("account.totpRequired")}</p>}
          <p data-testid="totp-state">{t("account.totpOff")}</p>
          {enrollment ? (
            <Enrol enrollment={enrollment} onConfirmed={(codes) => { setEnrollment(undefined); setRecovery(codes); }} />
          ) : (
            <button type="button" className="primary" onClick={() => void start()}>{t("account.totpStart")}</button>
          )}
        </>
      )}
    </section>
  );
}

/** Admins: invite someone by e-mail, see invitations and their state, revoke a pending one. */
function InvitationsSection() {
  const t = useT();
  const { api } = useApi();
  const list = useCall("listInvitations", {});
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const { busy, error, setError, run } = useBusy();
  const [sent, setSent] = useState<string | undefined>();
  const invite = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    await run(async () => {
      const v = await api.call("createInvitation", { body: { email: email.trim(), role } });
      setSent(v.email);
      setEmail("");
      list.reload();
    });
  };
  const revoke = async (id: string): Promise<void> => {
    try {
      await api.call("revokeInvitation", { params: { id } });
      list.reload();
    } catch (err) {
      setError(asError(err));
    }
  };
  return (
    <section className="card" data-testid="invitations-section">
      <h2>{t("invite.sectionTitle")}</h2>
      <form onSubmit={(e) => void invite(e)} className="row">
        <label>
          {t("invite.email")}
          <input type="email" name="email" value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label>
          {t("invite.role")}
          <select name="role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {ROLES.map((r) => <option key={r} value={r}>{t(`role.${r}`)}</option>)}
          </select>
        </label>
        <button type="submit" className="primary" disabled={busy || !email.trim()}>{t("invite.send")}</button>
      </form>
      {sent && <p role="status">{t("invite.sent", { email: sent })}</p>}
      <ErrorBox error={list.error ?? error} />
      <table>
        <thead>
          <tr><th>{t("invite.email")}</th><th>{t("invite.role")}</th><th>{t("invite.state")}</th><th>{t("invite.expires")}</th><th>{t("invite.account")}</th><th /></tr>
        </thead>
        <tbody>
          {(list.data?.items ?? []).map((i) => (
            <tr key={i.id} data-state={i.state}>
              <td>{i.email}</td>
              <td>{t(`role.${i.role}`)}</td>
              <td>{t(`invite.state.${i.state}`)}</td>
              <td>{i.expires_at}</td>
              <td className="mono">{i.username ?? ""}</td>
              <td>{i.state === "pending" && <button type="button" onClick={() => void revoke(i.id)}>{t("invite.revoke")}</button>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function AccountPage() {
  const t = useT();
  const { me } = useApi();
  return (
    <>
      <h1>{t("account.title")}: <span className="mono">{me.actor}</span></h1>
      <TotpSection />
      {me.role === "admin" && <InvitationsSection />}
    </>
  );
}
