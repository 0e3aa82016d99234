/** Japanese catalog. Typed against the English keys, so a missing key fails the build. Kept by area in ja/. */
import type { MessageKey } from "./en.js";
import { fleet } from "./ja/fleet.js";
import { work } from "./ja/work.js";
import { access } from "./ja/access.js";
import { shell } from "./ja/shell.js";

export const ja: Record<MessageKey, string> = { ...fleet, ...work, ...access, ...shell };
