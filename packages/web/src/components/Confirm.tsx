/**
 * A modal confirmation for actions that cannot be undone (run on many PCs, kill, revoke, delete, approve,
 * reject). The confirm button says what it does ("Run on 303 PCs", "Kill on 12 PCs"), never just "Confirm";
 * Cancel has the focus, so Enter does not fire it.
 */
import { useEffect, useRef } from "react";
import { useT } from "../i18n/context.js";

export function Confirm({
  message,
  detail,
  confirmLabel,
  onConfirm,
  onCancel,
  tone = "danger",
}: {
  message: string;
  /** A second line: who else is affected, what happens next. */
  detail?: string | undefined;
  confirmLabel: string;
  onConfirm(): void;
  onCancel(): void;
  tone?: "danger" | "primary";
}) {
  const t = useT();
  const ref = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
    cancel.current?.focus();
  }, []);
  return (
    <dialog ref={ref} className="confirm" onCancel={onCancel} aria-label={message}>
      <p>{message}</p>
      {detail && <p className="muted small">{detail}</p>}
      <div className="row end">
        <button type="button" ref={cancel} onClick={onCancel}>
          {t("common.cancel")}
        </button>
        <button type="button" className={tone} onClick={onConfirm} data-testid="confirm-action">
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
