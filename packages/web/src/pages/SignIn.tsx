/** Paste the bearer token; it is checked against the API before it is kept. */
import { useState, type FormEvent } from "react";
import { ApiError, createApiClient } from "../api/client.js";
import { ErrorBox } from "../components/ErrorBox.js";
import { useT } from "../i18n/context.js";

export function SignIn({ onSignedIn }: { onSignedIn(token: string): void }) {
  const t = useT();
  const [token, setToken] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | string | undefined>();
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const candidate = token.trim();
    if (!candidate) return;
    setBusy(true);
    setError(undefined);
    try {
      await createApiClient(() => candidate, () => undefined).get("/api/agents?limit=1");
      onSignedIn(candidate);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? t("signin.rejected") : (err as ApiError));
    } finally {
      setBusy(false);
    }
  };
  return (
    <main className="signin">
      <form onSubmit={(e) => void submit(e)} className="card">
        <h1>{t("signin.title")}</h1>
        <p className="muted">{t("signin.help")}</p>
        <label>
          {t("signin.token")}
          <input type="password" autoComplete="off" value={token} onChange={(e) => setToken(e.target.value)} autoFocus name="token" />
        </label>
        <ErrorBox error={error} />
        <button type="submit" className="primary" disabled={busy || !token.trim()}>
          {busy ? t("signin.checking") : t("signin.submit")}
        </button>
      </form>
    </main>
  );
}
