/** An event kind as a small badge, in the UI's language. */
import type { EventKind } from "@kanade/protocol";
import { useT } from "../i18n/context.js";

const TONE: Partial<Record<EventKind, string>> = { agent_offline: "bad-text", agent_online: "ok-text", agent_stopped: "warn-text", os_shutdown: "warn-text" };

export function EventKindBadge({ kind }: { kind: EventKind }) {
  const t = useT();
  return <span className={`badge ${TONE[kind] ?? ""}`} data-kind={kind}>{t(`events.kind.${kind}`)}</span>;
}
