/** The shell: decides between sign-in and the app, holds the API client, renders the nav and the page. */
import type { Identity } from "@kanade/protocol";
import { useCallback, useEffect, useMemo, useState } from "react";
import { ApiError, asError, createWebClient } from "./api/client.js";
import { ApiContext } from "./api/context.js";
import { ErrorBox } from "./components/ErrorBox.js";
import { FreezeBanner } from "./components/FreezeBanner.js";
import { useI18n } from "./i18n/context.js";
import { LANGS, type Lang } from "./i18n/format-message.js";
import { AccountPage, TotpSection } from "./pages/Account.js";
import { PermGroupsPage } from "./pages/PermGroups.js";
import { ActivityPage } from "./pages/Activity.js";
import { AgentDetailPage } from "./pages/AgentDetail.js";
import { AgentsPage } from "./pages/Agents.js";
import { DashboardPage } from "./pages/Dashboard.js";
import { EnrollmentPage } from "./pages/Enrollment.js";
import { ExecutionPage } from "./pages/Execution.js";
import { FleetPerfPage } from "./pages/FleetPerf.js";
import { InventoryPage } from "./pages/Inventory.js";
import { JobsPage } from "./pages/Jobs.js";
import { ResultPage } from "./pages/Result.js";
import { RunPage } from "./pages/Run.js";
import { SchedulesPage } from "./pages/Schedules.js";
import { NotificationsPage } from "./pages/Notifications.js";
import { SupportBundlesPage } from "./pages/SupportBundles.js";
import { CompliancePage } from "./pages/Compliance.js";
import { GroupsPage } from "./pages/Groups.js";
import { EventsPage } from "./pages/Events.js";
import { ChangePassword, SignIn } from "./pages/SignIn.js";
import { MailLink, matchMailLink } from "./pages/MailLinks.js";
import { SsoLanding } from "./pages/Sso.js";
import { endSession, whoAmI } from "./lib/auth.js";
import { matchRoute, type Route } from "./route-match.js";
import { Link, useRouter } from "./router.js";
import { clearToken, loadToken, saveToken } from "./session.js";

/** Where the backend sends the browser back after single sign-on, with `#handoff=<code>`. */
const SSO_PATH = "/sso";

type AuthState =
  | { kind: "checking" }
  | { kind: "signedOut"; expired?: boolean }
  /** Signed in to an account that may do nothing until its password is changed. */
  | { kind: "mustChange"; token: string; username: string }
  /** `token` is null on a backend with auth disabled. */
  | { kind: "ready"; token: string | null; me: Identity }
  /** Signed in to an account whose role requires TOTP before anything else: only enrolment is shown. */
  | { kind: "mustEnrol"; token: string; me: Identity }
  | { kind: "failed"; error: Error };

/** Where a checked token leads: straight in, to the password change first, or to TOTP enrolment first. */
async function signedIn(token: string | null, me: Identity): Promise<AuthState> {
  if (token && me.must_change_password) return { kind: "mustChange", token, username: me.actor };
  if (token && me.kind === "account") {
    const totp = await createWebClient({ token: () => token }).call("getTotpStatus");
    if (totp.required && !totp.enabled) return { kind: "mustEnrol", token, me };
  }
  return { kind: "ready", token, me };
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case "dashboard":
      return <DashboardPage />;
    case "agents":
      return <AgentsPage />;
    case "agent":
      return <AgentDetailPage pc={route.pc} />;
    case "jobs":
      return <JobsPage />;
    case "run":
      return <RunPage />;
    case "activity":
      return <ActivityPage />;
    case "execution":
      return <ExecutionPage execId={route.execId} />;
    case "result":
      return <ResultPage resultId={route.resultId} />;
    case "inventory":
      return <InventoryPage />;
    case "perf":
      return <FleetPerfPage />;
    case "enroll":
      return <EnrollmentPage />;
    case "schedules":
      return <SchedulesPage />;
    case "compliance":
      return <CompliancePage />;
    case "groups":
      return <GroupsPage />;
    case "events":
      return <EventsPage />;
    case "notifications":
      return <NotificationsPage />;
    case "support":
      return <SupportBundlesPage />;
    case "account":
      return <AccountPage />;
    case "permGroups":
      return <PermGroupsPage />;
    case "notFound":
      return <p className="notice">404</p>;
  }
}

const NAV: { to: string; key: "nav.dashboard" | "nav.agents" | "nav.groups" | "nav.jobs" | "nav.run" | "nav.schedules" | "nav.notifications" | "nav.support" | "nav.activity" | "nav.events" | "nav.compliance" | "nav.inventory" | "nav.perf" | "nav.enroll"; pages: Route["page"][] }[] = [
  { to: "/", key: "nav.dashboard", pages: ["dashboard"] },
  { to: "/agents", key: "nav.agents", pages: ["agents", "agent"] },
  { to: "/groups", key: "nav.groups", pages: ["groups"] },
  { to: "/jobs", key: "nav.jobs", pages: ["jobs"] },
  { to: "/run", key: "nav.run", pages: ["run"] },
  { to: "/schedules", key: "nav.schedules", pages: ["schedules"] },
  { to: "/notifications", key: "nav.notifications", pages: ["notifications"] },
  { to: "/support", key: "nav.support", pages: ["support"] },
  { to: "/activity", key: "nav.activity", pages: ["activity", "execution", "result"] },
  { to: "/events", key: "nav.events", pages: ["events"] },
  { to: "/compliance", key: "nav.compliance", pages: ["compliance"] },
  { to: "/inventory", key: "nav.inventory", pages: ["inventory"] },
  { to: "/perf", key: "nav.perf", pages: ["perf"] },
  { to: "/enrollment", key: "nav.enroll", pages: ["enroll"] },
];

export function App() {
  const { t, lang, setLang } = useI18n();
  const { path, navigate } = useRouter();
  const [auth, setAuth] = useState<AuthState>({ kind: "checking" });
  // Ends the session on the backend first (a copied token dies with it), then forgets it here at once.
  const signOut = useCallback(() => {
    const current = loadToken();
    if (current) void endSession(createWebClient({ token: () => current }));
    clearToken();
    setAuth({ kind: "signedOut" });
  }, []);
  // A 401 mid-session: the session expired, the account was disabled, or the static token changed.
  const sessionEnded = useCallback(() => {
    clearToken();
    setAuth({ kind: "signedOut", expired: true });
  }, []);
  const onSignedIn = useCallback((tk: string, me: Identity) => {
    saveToken(tk);
    signedIn(tk, me).then(setAuth, (err: unknown) => setAuth({ kind: "failed", error: asError(err) }));
  }, []);

  // An auth-disabled backend answers without a token: then there is nothing to sign in to.
  useEffect(() => {
    // The SSO page brings its own session; asking now (with no token yet) could sign it out after it arrives.
    if (window.location.pathname === SSO_PATH) return;
    const token = loadToken();
    whoAmI(createWebClient({ token: () => token }))
      .then((me) => signedIn(token, me))
      .then(setAuth)
      .catch((err: unknown) => {
        if (err instanceof ApiError && err.code === "UNAUTHORIZED") {
          clearToken();
          setAuth({ kind: "signedOut" });
        } else setAuth({ kind: "failed", error: asError(err) });
      });
  }, []);

  const token = auth.kind === "ready" || auth.kind === "mustEnrol" ? auth.token : null;
  const api = useMemo(() => createWebClient({ token: () => token, onUnauthorized: sessionEnded }), [token, sessionEnded]);
  const route = matchRoute(path);
  // Mailed links work whoever is (or is not) signed in in this tab.
  const mailLink = matchMailLink(path);
  if (mailLink) return <MailLink link={mailLink} />;
  if (path === SSO_PATH) {
    const back = (): void => {
      setAuth({ kind: "signedOut" });
      navigate("/", { replace: true });
    };
    const ssoSignedIn = (tk: string, me: Identity): void => {
      onSignedIn(tk, me);
      navigate("/", { replace: true });
    };
    return <SsoLanding onSignedIn={ssoSignedIn} onBack={back} />;
  }

  if (auth.kind === "checking") return <p className="notice">{t("common.loading")}</p>;
  if (auth.kind === "failed") return <main className="signin"><ErrorBox error={auth.error} /></main>;
  if (auth.kind === "signedOut") return <SignIn onSignedIn={onSignedIn} {...(auth.expired ? { notice: t("signin.expired") } : {})} />;
  if (auth.kind === "mustChange") return <ChangePassword token={auth.token} username={auth.username} onChanged={onSignedIn} onCancel={signOut} />;
  if (auth.kind === "mustEnrol") {
    const enrolled = (): void => setAuth({ kind: "ready", token: auth.token, me: auth.me });
    return (
      <ApiContext.Provider value={{ api, me: auth.me }}>
        <main className="signin">
          <div className="signin-stack">
            <TotpSection onEnrolled={enrolled} />
            <button type="button" onClick={signOut}>{t("nav.signOut")}</button>
          </div>
        </main>
      </ApiContext.Provider>
    );
  }
  const me = auth.me;
  return (
    <ApiContext.Provider value={{ api, me }}>
      <header className="topbar">
        <strong className="brand">奏 {t("app.title")}</strong>
        <nav>
          {NAV.map((n) => (
            <Link key={n.to} to={n.to} className={n.pages.includes(route.page) ? "active" : ""}>
              {t(n.key)}
            </Link>
          ))}
        </nav>
        <span className="spacer" />
        <label className="lang">
          <span className="sr-only">{t("nav.language")}</span>
          <select value={lang} onChange={(e) => setLang(e.target.value as Lang)} aria-label={t("nav.language")}>
            {LANGS.map((l) => (
              <option key={l} value={l}>
                {l === "en" ? "English" : "日本語"}
              </option>
            ))}
          </select>
        </label>
        {me.role === "admin" && (
          <Link to="/perm-groups" className={route.page === "permGroups" ? "active" : ""}>
            {t("nav.permGroups")}
          </Link>
        )}
        {me.kind === "account" && (
          <Link to="/account" className={route.page === "account" ? "active" : ""}>
            {t("nav.account")}
          </Link>
        )}
        <span className="whoami" data-testid="whoami" title={t("nav.signedInAs", { actor: me.actor })}>
          <span className="mono actor">{me.actor}</span> <span className={`badge role-${me.role}`} data-role={me.role}>{t(`role.${me.role}`)}</span>
          {me.scope && (
            <>
              {" "}
              <span className="badge" data-testid="scope" title={t("nav.scope", { groups: me.scope.perm_groups.join(", ") })}>{me.scope.perm_groups.join(", ")}</span>
            </>
          )}
        </span>
        {token && (
          <button type="button" onClick={signOut}>
            {t("nav.signOut")}
          </button>
        )}
      </header>
      <FreezeBanner />
      <main className="content">
        <Page route={route} />
      </main>
    </ApiContext.Provider>
  );
}
