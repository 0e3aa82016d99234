/**
 * Sign in with an account (`login`) or a pasted bearer token; either token is checked against the API
 * (`getMe`) before it is kept. Accounts that must change their password get the change form first.
 */
import type { Identity, LoginResponse } from "@kanade/protocol";
import { useState, type FormEvent } from "react";
import { ApiError, asError, createWebClient } from "../api/client.js";
import { ErrorBox } from "../components/ErrorBox.js";
import { useT } from "../i18n/context.js";
import { loginProblem, passwordProblem, whoAmI } from "../lib/auth.js";

type SignedIn = (token: string, me: Identity) => void;
/** The login answer as the identity `getMe` would give for that token. */
const identityOf = (r: LoginResponse): Identity => ({ actor: r.username, role: r.role, kind: "account", must_change_password: r.must_change_password });

function PasswordForm({ onSignedIn }: { onSignedIn: SignedIn }) {
  const t = useT();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | string | undefined>();
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (!username.trim() || !password) return;
    setBusy(true);
    setError(undefined);
    try {
      const r = await createWebClient({ token: () => null }).call("login", { body: { username: username.trim(), password } });
      onSignedIn(r.token, identityOf(r));
    } catch (err) {
      const problem = err instanceof ApiError ? loginProblem(err) : null;
      setError(problem ? t(problem.key, problem.vars) : asError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} className="card" data-testid="password-form">
      <h1>{t("signin.title")}</h1>
      <p className="muted">{t("signin.help")}</p>
      <label>
        {t("signin.username")}
        <input name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} autoFocus />
      </label>
      <label>
        {t("signin.password")}
        <input type="password" name="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} />
      </label>
      <ErrorBox error={error} />
      <button type="submit" className="primary" disabled={busy || !username.trim() || !password}>
        {busy ? t("signin.checking") : t("signin.submit")}
      </button>
    </form>
  );
}

function TokenForm({ onSignedIn }: { onSignedIn: SignedIn }) {
  const t = useT();
  const [token, setToken] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | string | undefined>();
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const candidate = token.trim();
    if (!candidate) return;
    setBusy(true);
    setError(undefined);
    try {
      const me = await whoAmI(createWebClient({ token: () => candidate }));
      onSignedIn(candidate, me);
    } catch (err) {
      setError(err instanceof ApiError && err.code === "UNAUTHORIZED" ? t("signin.rejected") : asError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} className="card" data-testid="token-form">
      <h2>{t("signin.tokenTitle")}</h2>
      <p className="muted small">{t("signin.tokenHelp")}</p>
      <label>
        {t("signin.token")}
        <input type="password" autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} name="token" />
      </label>
      <ErrorBox error={error} />
      <button type="submit" disabled={busy || !token.trim()}>
        {busy ? t("signin.checking") : t("signin.tokenSubmit")}
      </button>
    </form>
  );
}

export function SignIn({ onSignedIn, notice }: { onSignedIn: SignedIn; notice?: string }) {
  return (
    <main className="signin">
      <div className="signin-stack">
        {notice && (
          <p className="notice" role="status">
            {notice}
          </p>
        )}
        <PasswordForm onSignedIn={onSignedIn} />
        <TokenForm onSignedIn={onSignedIn} />
      </div>
    </main>
  );
}

/** `changePassword` with the session that must change it; the answer is a fresh session. */
export function ChangePassword({ token, username, onChanged, onCancel }: { token: string; username: string; onChanged: SignedIn; onCancel(): void }) {
  const t = useT();
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [repeat, setRepeat] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | string | undefined>();
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const problem = passwordProblem(current, next, repeat);
    if (problem) return setError(t(problem));
    setBusy(true);
    setError(undefined);
    try {
      const r = await createWebClient({ token: () => token }).call("changePassword", { body: { current_password: current, new_password: next } });
      onChanged(r.token, identityOf(r));
    } catch (err) {
      setError(asError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="signin">
      <form onSubmit={(e) => void submit(e)} className="card" data-testid="change-password">
        <h1>{t("password.title")}</h1>
        <p className="warn-text" role="status">{t("password.required", { user: username })}</p>
        <label>
          {t("password.current")}
          <input type="password" name="current_password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} autoFocus />
        </label>
        <label>
          {t("password.new")}
          <input type="password" name="new_password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} />
        </label>
        <label>
          {t("password.repeat")}
          <input type="password" name="repeat_password" autoComplete="new-password" value={repeat} onChange={(e) => setRepeat(e.target.value)} />
        </label>
        <ErrorBox error={error} />
        <div className="row end">
          <button type="button" onClick={onCancel}>{t("nav.signOut")}</button>
          <button type="submit" className="primary" disabled={busy}>{busy ? t("signin.checking") : t("password.submit")}</button>
        </div>
      </form>
    </main>
  );
}
