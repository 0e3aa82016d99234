/** Shows an API error readably: a missing route gets the friendly "not available yet" state. */
import { ApiError } from "../api/client.js";
import { useT } from "../i18n/context.js";

export function ErrorBox({ error, path }: { error: ApiError | Error | string | undefined; path?: string }) {
  const t = useT();
  if (!error) return null;
  if (error instanceof ApiError && error.routeMissing) {
    return (
      <div className="notice" role="status" data-testid="not-available">
        {t("common.notAvailable", { path: path ?? "" })}
      </div>
    );
  }
  const message =
    typeof error === "string"
      ? error
      : error instanceof ApiError && error.status === 0
        ? t("common.networkError", { message: error.message })
        : error.message;
  const code = error instanceof ApiError && error.status !== 0 ? error.code : undefined;
  return (
    <div className="error" role="alert">
      <strong>{code ?? t("common.error")}</strong> <span className="pre-line">{message}</span>
      {error instanceof ApiError && error.details.length > 0 && (
        <ul>
          {error.details.map((d, i) => (
            <li key={i}>{d.path ? `${d.path}: ${d.message}` : d.message}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
