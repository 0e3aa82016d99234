/** The Run page: type a script, pick PCs, run it as an ad-hoc execution (`POST /api/run`), then follow it in Activity. */
import { SHELLS, type RunRequest, type Shell } from "@kanade/protocol";
import { useMemo, useState } from "react";
import { asError } from "../api/client.js";
import { useApi, useCall, useCanOperate } from "../api/context.js";
import { Confirm } from "../components/Confirm.js";
import { ErrorBox } from "../components/ErrorBox.js";
import { TargetPicker } from "../components/TargetPicker.js";
import { useT } from "../i18n/context.js";
import type { TargetChoice } from "../lib/exec-target.js";
import { buildRunRequest } from "../lib/run-request.js";
import { useRouter } from "../router.js";

/** How many PCs the choice reaches, as far as this page knows (the backend resolves the real set). */
function reach(choice: TargetChoice, groupPcs: ReadonlyMap<string, readonly string[]>, agentCount: number): number {
  if (choice.mode === "pcs") return choice.pcs.length;
  if (choice.mode === "all") return agentCount;
  return new Set(choice.groups.flatMap((g) => groupPcs.get(g) ?? [])).size;
}

export function RunPage() {
  const t = useT();
  const { api } = useApi();
  const canOperate = useCanOperate();
  const { navigate } = useRouter();
  const agents = useCall("listAgents", {});
  const groups = useCall("listGroups", {});
  const [choice, setChoice] = useState<TargetChoice>({ mode: "pcs", pcs: [], groups: [], jitter: "" });
  const [shell, setShell] = useState<Shell>("powershell");
  const [timeout, setTimeoutText] = useState("60s");
  const [script, setScript] = useState("");
  const [error, setError] = useState<Error | string | undefined>();
  const [confirm, setConfirm] = useState<RunRequest | null>(null);
  const [busy, setBusy] = useState(false);
  const groupPcs = useMemo(() => new Map((groups.data?.items ?? []).map((g) => [g.name, g.pcs])), [groups.data]);
  const n = reach(choice, groupPcs, agents.data?.items.length ?? 0);
  const change = (next: (c: TargetChoice) => TargetChoice): void => {
    setError(undefined);
    setChoice(next);
  };
  const fire = async (request: RunRequest): Promise<void> => {
    setConfirm(null);
    setBusy(true);
    try {
      const res = await api.call("createRun", { body: request });
      navigate(`/activity/${res.exec_id}`);
    } catch (err) {
      setError(asError(err));
    } finally {
      setBusy(false);
    }
  };
  const run = (): void => {
    setError(undefined);
    const r = buildRunRequest({ target: choice, shell, timeout, script });
    if (!r.ok) {
      const reasons = { no_pcs: t("jobs.noPcs"), no_groups: t("jobs.noGroups"), no_script: t("run.noScript"), invalid: r.message ?? "" };
      return setError(reasons[r.reason]);
    }
    // One ticked PC is what the operator sees; anything wider is confirmed first.
    if (choice.mode === "pcs" && choice.pcs.length === 1) return void fire(r.request);
    setConfirm(r.request);
  };
  return (
    <section className="card" data-testid="run-form">
      <h1>{t("run.title")}</h1>
      <p className="muted">{t("run.help")}</p>
      {!canOperate && <p className="warn-text">{t("run.notAllowed")}</p>}
      <label className="block">
        {t("run.script")}
        <textarea
          name="script"
          className="script-editor"
          spellCheck={false}
          rows={12}
          value={script}
          onChange={(e) => { setError(undefined); setScript(e.target.value); }}
          placeholder={shell === "sh" || shell === "bash" ? "uname -a" : "Get-ComputerInfo | Select-Object OsName, OsVersion"}
        />
      </label>
      <TargetPicker
        choice={choice}
        change={change}
        lead={
          <>
            <label>
              {t("run.shell")}
              <select name="shell" value={shell} onChange={(e) => setShell(e.target.value as Shell)}>
                {SHELLS.map((s) => <option key={s} value={s}>{s}</option>)}
              </select>
            </label>
            <label>
              {t("run.timeout")}
              <input name="timeout" value={timeout} onChange={(e) => setTimeoutText(e.target.value)} placeholder="60s" />
            </label>
          </>
        }
      />
      <ErrorBox error={error} />
      <div className="row">
        <button type="button" className="primary" disabled={!canOperate || busy} onClick={run}>
          {choice.mode === "pcs" && choice.pcs.length > 0 ? t("run.submitOn", { n: choice.pcs.length }) : t("run.submit")}
        </button>
      </div>
      {confirm && (
        <Confirm
          message={t("run.confirm", { n })}
          confirmLabel={t("jobs.runOn", { n })}
          onConfirm={() => void fire(confirm)}
          onCancel={() => setConfirm(null)}
        />
      )}
    </section>
  );
}
