/**
 * Sign in with an account (`login`) or a pasted bearer token; either token is checked against the API
 * (`getMe`) before it is kept. Accounts that must change their password get the change form first.
 */
import { useBusy } from "../lib/use-busy.js";
import { isSecondFactorRequired, type Identity, type LoginResponse, type SecondFactorRequired } from "@kanade/protocol";
import { useState, type FormEvent } from "react";
import { ApiError, asError, createWebClient } from "../api/client.js";
import { ErrorBox } from "../components/ErrorBox.js";
import { useT } from "../i18n/context.js";
import { codeProblem, loginProblem, passwordProblem, whoAmI } from "../lib/auth.js";
import { Link } from "../router.js";
import { SsoButton } from "./Sso.js";

type SignedIn = (token: string, me: Identity) => void;
/** The login answer as the identity `getMe` would give for that token. */
const identityOf = (r: LoginResponse): Identity => ({ actor: r.username, role: r.role, kind: "account", must_change_password: r.must_change_password });

/** The second sign-in step: a TOTP code (or a recovery code) completes the password step's challenge. */
function CodeForm({ challenge, onSignedIn, onRestart }: { challenge: SecondFactorRequired; onSignedIn: SignedIn; onRestart(): void }) {
  const t = useT();
  const [code, setCode] = useState("");
  const [recovery, setRecovery] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | string | undefined>();
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (!code.trim()) return;
    setBusy(true);
    setError(undefined);
    try {
      const body = recovery ? { challenge: challenge.challenge, recovery_code: code.trim() } : { challenge: challenge.challenge, code: code.trim() };
      const r = await createWebClient({ token: () => null }).call("loginSecondFactor", { body });
      onSignedIn(r.token, identityOf(r));
    } catch (err) {
      if (err instanceof ApiError && err.code === "UNAUTHORIZED" && /challenge/.test(err.message)) return onRestart();
      const problem = err instanceof ApiError ? codeProblem(err) : null;
      setError(problem ? t(problem.key, problem.vars) : asError(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form onSubmit={(e) => void submit(e)} className="card" data-testid="code-form">
      <h1>{t("signin.codeTitle")}</h1>
      <p className="muted">{t("signin.codeHelp", { user: challenge.username })}</p>
      <label>
        {recovery ? t("signin.recoveryCode") : t("signin.code")}
        <input
          name={recovery ? "recovery_code" : "code"}
          autoComplete="one-time-code"
          inputMode={recovery ? "text" : "numeric"}
          value={code}
          onChange={(e) => setCode(e.target.value)}
          autoFocus
        />
      </label>
      <ErrorBox error={error} />
      <div className="row end">
        <button type="button" onClick={() => { setRecovery(!recovery); setCode(""); setError(undefined); }}>
          {recovery ? t("signin.useCode") : t("signin.useRecovery")}
        </button>
        <button type="submit" className="primary" disabled={busy || !code.trim()}>
          {busy ? t("signin.checking") : t("signin.codeSubmit")}
        </button>
      </div>
    </form>
  );
}

function PasswordForm({ onSignedIn }: { onSignedIn: SignedIn }) {
  const t = useT();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | string | undefined>();
  const [challenge, setChallenge] = useState<SecondFactorRequired | undefined>();
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (!username.trim() || !password) return;
    setBusy(true);
    setError(undefined);
    try {
      const r = await createWebClient({ token: () => null }).call("login", { body: { username: username.trim(), password } });
      if (isSecondFactorRequired(r)) {
        setPassword("");
        return setChallenge(r);
      }
      onSignedIn(r.token, identityOf(r));
    } catch (err) {
      const problem = err instanceof ApiError ? loginProblem(err) : null;
      setError(problem ? t(problem.key, problem.vars) : asError(err));
    } finally {
      setBusy(false);
    }
  };
  if (challenge) {
    const restart = (): void => {
      setChallenge(undefined);
      setError(t("signin.challengeExpired"));
    };
    return <CodeForm challenge={challenge} onSignedIn={onSignedIn} onRestart={restart} />;
  }
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
      <Link to="/reset-password" className="small">{t("reset.forgot")}</Link>
    </form>
  );
}

function TokenForm({ onSignedIn }: { onSignedIn: SignedIn }) {
  const t = useT();
  const [token, setToken] = useState("");
  const { busy, error, run } = useBusy();
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const candidate = token.trim();
    if (!candidate) return;
    await run(async () => {
      const me = await whoAmI(createWebClient({ token: () => candidate }));
      onSignedIn(candidate, me);
    }, (err) => err instanceof ApiError && err.code === "UNAUTHORIZED" ? t("signin.rejected") : asError(err));
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
        <SsoButton />
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
  const { busy, error, setError, run } = useBusy();
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const problem = passwordProblem(current, next, repeat);
    if (problem) return setError(t(problem));
    await run(async () => {
      const r = await createWebClient({ token: () => token }).call("changePassword", { body: { current_password: current, new_password: next } });
      onChanged(r.token, identityOf(r));
    });
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
