/** A banner on every page while a fleet freeze holds (or its value is unreadable, which counts as frozen). */
import { useCall } from "../api/context.js";
import { useI18n } from "../i18n/context.js";

export function FreezeBanner() {
  const { t } = useI18n();
  const { data } = useCall("getFreeze", {}, { pollMs: 30_000 });
  if (!data?.frozen) return null;
  const until = data.freeze?.until;
  return (
    <div className="freeze-banner" role="status" data-testid="freeze-banner">
      <strong>{t("freeze.banner")}</strong> {data.reason}
      {until ? ` — ${t("freeze.until", { until })}` : ""}
    </div>
  );
}
