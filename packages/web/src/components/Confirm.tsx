/** A modal confirmation for actions that cannot be undone (kill, revoke, approve, reject). */
import { useEffect, useRef } from "react";
import { useT } from "../i18n/context.js";

export function Confirm({ message, onConfirm, onCancel, tone = "danger" }: { message: string; onConfirm(): void; onCancel(): void; tone?: "danger" | "primary" }) {
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
        <button type="button" className={tone} onClick={onConfirm}>
          {t("common.confirm")}
        </button>
      </div>
    </dialog>
  );
}
