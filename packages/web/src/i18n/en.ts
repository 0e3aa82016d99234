/** English catalog: the reference for every key. `{name}` placeholders are filled by `t()`. Kept by area in en/. */
import { fleet } from "./en/fleet.js";
import { work } from "./en/work.js";
import { access } from "./en/access.js";
import { shell } from "./en/shell.js";

export const en = { ...fleet, ...work, ...access, ...shell } as const;

export type MessageKey = keyof typeof en;
