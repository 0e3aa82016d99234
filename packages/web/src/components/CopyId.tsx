/** An id as the UI shows it (its 8-digit tail, which the CLI accepts) with a button that copies the whole id. */
import { shortId } from "@kanade/protocol";
import { useState } from "react";
import { useT } from "../i18n/context.js";

/** Copies through the Clipboard API, or a selected textarea where that API is missing (plain-HTTP deployments). */
async function copyText(text: string): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.select();
  try {
    if (!document.execCommand("copy")) throw new Error("copy refused");
  } finally {
    area.remove();
  }
}

export function CopyId({ id, full = false, testId }: { id: string; full?: boolean; testId?: string }) {
  const t = useT();
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  const copy = (): void => {
    copyText(id).then(
      () => setState("copied"),
      () => setState("failed"),
    );
  };
  return (
    <span className="copy-id" data-testid={testId} data-id={id}>
      <code className="mono" title={id}>{full ? id : shortId(id)}</code>
      <button type="button" className="copy" onClick={copy} aria-label={t("common.copyId", { id: shortId(id) })} title={t("common.copyId", { id: shortId(id) })}>
        {state === "copied" ? t("common.copied") : state === "failed" ? t("common.copyFailed") : t("common.copy")}
      </button>
    </span>
  );
}
