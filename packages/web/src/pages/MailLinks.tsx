/**
 * Pages opened from mailed links, before anyone is signed in: accept an invitation (`/invite/{token}`),
 * ask for a password-reset link (`/reset-password`) and set a new password with one (`/reset-password/{token}`).
 */
import type { InvitationPublic } from "@kanade/protocol";
import { useBusy } from "../lib/use-busy.js";
import { useEffect, useState, type FormEvent, type ReactNode } from "react";
import { ApiError, asError, createWebClient } from "../api/client.js";
import { ErrorBox } from "../components/ErrorBox.js";
import { useT } from "../i18n/context.js";
import { newPasswordProblem } from "../lib/auth.js";
import { Link } from "../router.js";

const anonymous = () => createWebClient({ token: () => null });

/** Which mailed-link page a path is, if any. */
export type MailLinkPage = { page: "invite"; token: string } | { page: "resetRequest" } | { page: "resetComplete"; token: string };

export function matchMailLink(path: string): MailLinkPage | undefined {
  const invite = /^\/invite\/([A-Za-z0-9_-]+)\/?$/.exec(path);
  if (invite) return { page: "invite", token: invite[1]! };
  if (/^\/reset-password\/?$/.test(path)) return { page: "resetRequest" };
  const reset = /^\/reset-password\/([A-Za-z0-9_-]+)\/?$/.exec(path);
  if (reset) return { page: "resetComplete", token: reset[1]! };
  return undefined;
}

function Frame({ children, testId }: { children: ReactNode; testId: string }) {
  return (
    <main className="signin">
      <div className="signin-stack card" data-testid={testId}>{children}</div>
    </main>
  );
}

function useGoneMessage(): (err: unknown) => Error | string {
  const t = useT();
  return (err) => (err instanceof ApiError && err.code === "LINK_GONE" ? t("links.gone") : asError(err));
}

function AcceptInvitation({ token }: { token: string }) {
  const t = useT();
  const gone = useGoneMessage();
  const [offer, setOffer] = useState<InvitationPublic | undefined>();
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  const [done, setDone] = useState<string | undefined>();
  const { busy, error, setError, run } = useBusy();
  useEffect(() => {
    anonymous().call("getInvitation", { params: { token } }).then(setOffer, (err: unknown) => setError(gone(err)));
  }, [token]);
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const problem = newPasswordProblem(password, repeat);
    if (problem) return setError(t(problem));
    await run(async () => {
      const r = await anonymous().call("acceptInvitation", { params: { token }, body: { username: username.trim(), password } });
      setDone(r.username);
    }, gone);
  };
  if (done) {
    return (
      <Frame testId="invite-done">
        <h1>{t("invite.doneTitle")}</h1>
        <p role="status">{t("invite.done", { user: done })}</p>
        <a href="/" className="button primary">{t("links.toSignIn")}</a>
      </Frame>
    );
  }
  return (
    <Frame testId="invite-accept">
      <h1>{t("invite.title")}</h1>
      {offer && <p>{t("invite.offer", { email: offer.email, role: t(`role.${offer.role}`), expires: offer.expires_at })}</p>}
      <ErrorBox error={error} />
      {offer && (
        <form onSubmit={(e) => void submit(e)}>
          <label>
            {t("signin.username")}
            <input name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} autoFocus />
          </label>
          <label>
            {t("password.new")}
            <input type="password" name="new_password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
          </label>
          <label>
            {t("password.repeat")}
            <input type="password" name="repeat_password" autoComplete="new-password" value={repeat} onChange={(e) => setRepeat(e.target.value)} />
          </label>
          <button type="submit" className="primary" disabled={busy || !username.trim() || !password}>
            {busy ? t("signin.checking") : t("invite.submit")}
          </button>
        </form>
      )}
    </Frame>
  );
}

function ResetRequest() {
  const t = useT();
  const [who, setWho] = useState("");
  const [sent, setSent] = useState(false);
  const { busy, error, run } = useBusy();
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const v = who.trim();
    if (!v) return;
    await run(async () => {
      await anonymous().call("requestPasswordReset", { body: { username: v } });
      setSent(true);
    });
  };
  return (
    <Frame testId="reset-request">
      <h1>{t("reset.title")}</h1>
      {sent ? (
        <p role="status">{t("reset.sent")}</p>
      ) : (
        <form onSubmit={(e) => void submit(e)}>
          <p className="muted">{t("reset.help")}</p>
          <label>
            {t("reset.who")}
            <input name="who" autoComplete="username" value={who} onChange={(e) => setWho(e.target.value)} autoFocus />
          </label>
          <ErrorBox error={error} />
          <button type="submit" className="primary" disabled={busy || !who.trim()}>{busy ? t("signin.checking") : t("reset.submit")}</button>
        </form>
      )}
      <Link to="/">{t("links.toSignIn")}</Link>
    </Frame>
  );
}

function ResetComplete({ token }: { token: string }) {
  const t = useT();
  const gone = useGoneMessage();
  const [password, setPassword] = useState("");
  const [repeat, setRepeat] = useState("");
  const [done, setDone] = useState<string | undefined>();
  const { busy, error, setError, run } = useBusy();
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const problem = newPasswordProblem(password, repeat);
    if (problem) return setError(t(problem));
    await run(async () => {
      setDone((await anonymous().call("completePasswordReset", { body: { token, new_password: password } })).username);
    }, gone);
  };
  return (
    <Frame testId="reset-complete">
      <h1>{t("reset.newTitle")}</h1>
      {done ? (
        <>
          <p role="status">{t("reset.done", { user: done })}</p>
          <a href="/" className="button primary">{t("links.toSignIn")}</a>
        </>
      ) : (
        <form onSubmit={(e) => void submit(e)}>
          <label>
            {t("password.new")}
            <input type="password" name="new_password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} autoFocus />
          </label>
          <label>
            {t("password.repeat")}
            <input type="password" name="repeat_password" autoComplete="new-password" value={repeat} onChange={(e) => setRepeat(e.target.value)} />
          </label>
          <ErrorBox error={error} />
          <button type="submit" className="primary" disabled={busy || !password}>{busy ? t("signin.checking") : t("password.submit")}</button>
        </form>
      )}
    </Frame>
  );
}

export function MailLink({ link }: { link: MailLinkPage }) {
  if (link.page === "invite") return <AcceptInvitation token={link.token} />;
  if (link.page === "resetComplete") return <ResetComplete token={link.token} />;
  return <ResetRequest />;
}
