/** Shows an error readably: an `ApiError` as its code, message and per-field details. */
import { useT } from "../i18n/context.js";
import { errorView } from "../lib/error-view.js";

export function ErrorBox({ error }: { error: Error | string | undefined }) {
  const t = useT();
  if (!error) return null;
  const v = errorView(error);
  return (
    <div className="error" role="alert" data-code={v.code}>
      <strong>{v.code ?? t("common.error")}</strong>{" "}
      <span className="pre-line">{v.lead ? t(v.lead.key, v.lead.vars) : v.message}</span>
      {v.details.length > 0 && (
        <ul>
          {v.details.map((d, i) => (
            <li key={i}>{d.path ? `${d.path}: ${d.message}` : d.message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
