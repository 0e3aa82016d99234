/** A modal confirmation for destructive actions (kill, revoke). */
import { useEffect, useRef } from "react";
import { useT } from "../i18n/context.js";

export function Confirm({ message, onConfirm, onCancel }: { message: string; onConfirm(): void; onCancel(): void }) {
  const t = useT();
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  return (
    <dialog ref={ref} className="confirm" onCancel={onCancel} aria-label={message}>
      <p>{message}</p>
      <div className="row end">
        <button type="button" onClick={onCancel}>
          {t("common.cancel")}
        </button>
        <button type="button" className="danger" onClick={onConfirm}>
          {t("common.confirm")}
        </button>
      </div>
    </dialog>
  );
}
