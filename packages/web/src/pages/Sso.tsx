/**
 * Single sign-on in the web UI: the "Sign in with <provider>" button on the sign-in page (shown only when
 * `getAuthMethods` names SSO), and the `/sso` page the backend redirects to after the provider, which
 * trades the one-time handoff code for the session.
 */
import type { Identity, LoginResponse } from "@kanade/protocol";
import { useEffect, useRef, useState } from "react";
import { asError, createWebClient } from "../api/client.js";
import { ErrorBox } from "../components/ErrorBox.js";
import { useT } from "../i18n/context.js";
import { handoffCodeIn, ssoStartUrl, takeVerifier } from "../lib/sso.js";

const anonymous = () => createWebClient({ token: () => null });

/** The login answer as the identity `getMe` would give for that token. */
const identityOf = (r: LoginResponse): Identity => ({ actor: r.username, role: r.role, kind: "account", must_change_password: r.must_change_password });

export function SsoButton() {
  const t = useT();
  const [name, setName] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>();
  useEffect(() => {
    // An older backend without the route, or one unreachable: no button, the password form still works.
    anonymous().call("getAuthMethods").then((m) => setName(m.sso?.name), () => setName(undefined));
  }, []);
  if (!name) return null;
  const go = async (): Promise<void> => {
    setBusy(true);
    try {
      window.location.assign(await ssoStartUrl());
    } catch (err) {
      setBusy(false);
      setError(asError(err));
    }
  };
  return (
    <div className="card" data-testid="sso-card">
      <button type="button" className="primary" onClick={() => void go()} disabled={busy}>
        {t("signin.sso", { name })}
      </button>
      <p className="muted small">{t("signin.ssoHelp")}</p>
      <ErrorBox error={error} />
    </div>
  );
}

/** `/sso#handoff=<code>`: picks the session up, then hands it to the app. */
export function SsoLanding({ onSignedIn, onBack }: { onSignedIn(token: string, me: Identity): void; onBack(): void }) {
  const t = useT();
  const [error, setError] = useState<Error | string | undefined>();
  const started = useRef(false);
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    const code = handoffCodeIn(window.location.hash);
    // The code works once; keep it out of history either way.
    window.history.replaceState(null, "", window.location.pathname);
    if (!code) return setError(t("sso.noCode"));
    const verifier = takeVerifier();
    anonymous()
      .call("ssoHandoff", { body: { code, ...(verifier ? { verifier } : {}) } })
      .then((r) => onSignedIn(r.token, identityOf(r)), (err: unknown) => setError(asError(err)));
  }, [onSignedIn, t]);
  return (
    <main className="signin">
      <div className="signin-stack card" data-testid="sso-landing">
        <h1>{t("sso.title")}</h1>
        {error ? (
          <>
            <ErrorBox error={error} />
            <button type="button" onClick={onBack}>{t("sso.back")}</button>
          </>
        ) : (
          <p className="muted">{t("common.loading")}</p>
        )}
      </div>
    </main>
  );
}
