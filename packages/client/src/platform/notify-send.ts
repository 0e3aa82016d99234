/**
 * Linux has no tray entry; a new notice becomes a desktop notification through `notify-send` (libnotify) when
 * it is installed. Arguments go to execFile as an array: nothing passes through a shell.
 */
import type { AppWindowCommand } from "./posix.js";

export type NoticePriority = "info" | "warning" | "emergency";

/** notify-send for one notice; emergency notices are `critical` (they stay until dismissed). */
export function notifySendCommand(n: { title: string; body: string; priority: NoticePriority }, file = "notify-send"): AppWindowCommand {
  const urgency = n.priority === "emergency" ? "critical" : "normal";
  const body = n.body.length > 300 ? `${n.body.slice(0, 299)}…` : n.body;
  // "--" ends the options: a title starting with "-" is still a title.
  return { file, args: ["--app-name=kanade", `--urgency=${urgency}`, "--", n.title, body] };
}
