/**
 * A PC's tags as editable key/value rows. Saving sends only what changed, with the revision the page read:
 * if another operator changed the tags meanwhile the backend answers 409 and nothing is overwritten — the
 * error says what they are now, and Reload shows them.
 */
import { tagKeyProblem, tagValueProblem, type AgentTagsView } from "@kanade/protocol";
import { useEffect, useState } from "react";
import { asError } from "../api/client.js";
import { useApi, useCall, useCanOperate } from "../api/context.js";
import { useT } from "../i18n/context.js";
import { tagDiff } from "../lib/tag-diff.js";
import { ErrorBox } from "./ErrorBox.js";

interface Row {
  key: string;
  value: string;
}

const rowsOf = (v: AgentTagsView | undefined): Row[] => Object.entries(v?.tags ?? {}).map(([key, value]) => ({ key, value }));

export function TagsEditor({ pc, onSaved }: { pc: string; onSaved(): void }) {
  const t = useT();
  const { api } = useApi();
  const canOperate = useCanOperate();
  const loaded = useCall("getAgentTags", { params: { pc } });
  const [rows, setRows] = useState<Row[]>([]);
  const [msg, setMsg] = useState<string | undefined>();
  const [error, setError] = useState<Error | undefined>();
  useEffect(() => setRows(rowsOf(loaded.data)), [loaded.data]);
  const problems = rows.flatMap((r) => (r.key.trim() === "" ? [] : [tagKeyProblem(r.key.trim()) ?? tagValueProblem(r.key.trim(), r.value.trim())].filter((p): p is string => p !== undefined)));
  const edit = (i: number, patch: Partial<Row>): void => setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const save = async (): Promise<void> => {
    if (!loaded.data) return;
    setError(undefined);
    setMsg(undefined);
    try {
      const diff = tagDiff(loaded.data.tags, rows);
      await api.call("changeAgentTags", { params: { pc }, body: { ...diff, expected_revision: loaded.data.revision } });
      setMsg(t("tags.saved"));
      loaded.reload();
      onSaved();
    } catch (err) {
      setError(asError(err));
    }
  };
  return (
    <div data-testid="tags-editor">
      <p className="muted small">{t("tags.help")}</p>
      <ErrorBox error={loaded.error} />
      <table className="tags">
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>
              <td><input name="tag-key" aria-label={t("tags.key")} value={r.key} onChange={(e) => edit(i, { key: e.target.value })} placeholder="site" /></td>
              <td><input name="tag-value" aria-label={t("tags.value")} value={r.value} onChange={(e) => edit(i, { value: e.target.value })} placeholder="osaka" /></td>
              <td><button type="button" className="link" onClick={() => setRows(rows.filter((_, j) => j !== i))}>{t("tags.remove")}</button></td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="row">
        <button type="button" onClick={() => setRows([...rows, { key: "", value: "" }])} disabled={!canOperate}>{t("tags.add")}</button>
        <button type="button" className="primary" onClick={() => void save()} disabled={!canOperate || problems.length > 0 || !loaded.data}>{t("common.save")}</button>
        {error && <button type="button" onClick={() => (setError(undefined), loaded.reload())}>{t("tags.reload")}</button>}
      </div>
      {problems.map((p) => <p key={p} className="error-text">{p}</p>)}
      {msg && <p className="ok-text" role="status">{msg}</p>}
      <ErrorBox error={error} />
    </div>
  );
}
