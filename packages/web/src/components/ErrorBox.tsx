/** Shows an error readably: an `ApiError` as its code, message and per-field details. */
import { useI18n } from "../i18n/context.js";
import { errorView } from "../lib/error-view.js";

export function ErrorBox({ error }: { error: Error | string | undefined }) {
  const { t, lang } = useI18n();
  if (!error) return null;
  const v = errorView(error);
  // The API words its messages in English: in another language, say what the code means first.
  const meaning = lang !== "en" && v.meaning && !v.lead ? t(v.meaning) : undefined;
  return (
    <div className="error" role="alert" data-code={v.code}>
      <strong>{v.code ?? t("common.error")}</strong>{" "}
      {meaning && <span data-testid="error-meaning">{meaning} </span>}
      <span className={`pre-line${meaning ? " muted" : ""}`} lang={meaning ? "en" : undefined}>{v.lead ? t(v.lead.key, v.lead.vars) : v.message}</span>
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
