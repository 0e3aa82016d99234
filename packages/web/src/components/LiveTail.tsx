/**
 * Live output of one PC's running script on the execution page (issue 17 §2): asks the agent (through the
 * backend) every second for what each stream wrote since the last answer. It asks only while shown, so
 * nothing is sent when nobody watches; the stored result has the whole text once the run ends.
 */
import type { ExecutionRow } from "@kanade/protocol";
import { useEffect, useState } from "react";
import { useApi } from "../api/context.js";
import { useT } from "../i18n/context.js";

const POLL_MS = 1000;
/** Characters kept on screen; older text scrolls out. */
const KEEP_CHARS = 200_000;

function Tail({ execId, pc }: { execId: string; pc: string }) {
  const t = useT();
  const { api } = useApi();
  const [text, setText] = useState("");
  const [gap, setGap] = useState(false);
  useEffect(() => {
    const abort = new AbortController();
    const at = { stdout: 0, stderr: 0 };
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async (): Promise<void> => {
      try {
        const r = await api.call("tailRun", { params: { exec_id: execId }, query: { pc, stdout_from: at.stdout, stderr_from: at.stderr }, signal: abort.signal });
        if (abort.signal.aborted) return;
        at.stdout = r.stdout.next;
        at.stderr = r.stderr.next;
        if (r.stdout.skipped > 0 || r.stderr.skipped > 0) setGap(true);
        const news = r.stdout.text + r.stderr.text;
        if (news) setText((old) => (old + news).slice(-KEEP_CHARS));
      } catch {
        // An agent that does not answer this second (busy, reconnecting) is asked again the next one.
        if (abort.signal.aborted) return;
      }
      timer = setTimeout(() => void poll(), POLL_MS);
    };
    void poll();
    return () => {
      abort.abort();
      clearTimeout(timer);
    };
  }, [api, execId, pc]);
  return (
    <>
      {gap && <p className="muted small">{t("live.gap")}</p>}
      <pre className="mono live-tail" data-testid="live-tail" data-pc={pc}>
        {text || t("live.waiting")}
      </pre>
    </>
  );
}

/** The PCs still running, a picker among them, and the chosen one's output. */
export function LiveTail({ execId, rows }: { execId: string; rows: readonly ExecutionRow[] }) {
  const t = useT();
  const running = rows.filter((r) => r.status === "running").map((r) => r.pc_id);
  const [pc, setPc] = useState<string | undefined>();
  const shown = pc !== undefined && running.includes(pc) ? pc : running[0];
  if (shown === undefined) return null;
  return (
    <div className="card" data-testid="live-output">
      <div className="row">
        <h2>{t("live.title")}</h2>
        <select name="live-pc" value={shown} onChange={(e) => setPc(e.target.value)} aria-label={t("live.pc")}>
          {running.map((p) => <option key={p} value={p}>{p}</option>)}
        </select>
      </div>
      <Tail key={shown} execId={execId} pc={shown} />
    </div>
  );
}
