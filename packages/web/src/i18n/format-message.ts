/** Fills `{name}` placeholders; pure so it is testable without React. */
import { en, type MessageKey } from "./en.js";
import { ja } from "./ja.js";

export const LANGS = ["en", "ja"] as const;
export type Lang = (typeof LANGS)[number];
export const CATALOGS: Record<Lang, Record<MessageKey, string>> = { en, ja };

export type Vars = Record<string, string | number>;

/**
 * `{name}` is the value; `{n:PC|PCs}` is the value and a word, singular when the value is 1 ("1 PC",
 * "303 PCs") — for languages that have plurals; Japanese writes `{n} 台`.
 */
export function formatMessage(lang: Lang, key: MessageKey, vars: Vars = {}): string {
  const template = CATALOGS[lang][key] ?? en[key];
  return template.replace(/\{(\w+)(?::([^|}]*)\|([^}]*))?\}/g, (m, name: string, one: string | undefined, other: string | undefined) => {
    if (!(name in vars)) return m;
    const v = vars[name];
    return one === undefined ? String(v) : `${v} ${Number(v) === 1 ? one : other}`;
  });
}

/** The browser's preferred language if we have it, else English. */
export function pickLang(preferred: readonly string[]): Lang {
  for (const p of preferred) {
    const base = p.toLowerCase().split("-")[0];
    if (base === "ja" || base === "en") return base;
  }
  return "en";
}

/** The variables a message uses (`{n}` and `{n:PC|PCs}` both name `n`). */
export const placeholders = (s: string): string[] => [...new Set([...s.matchAll(/\{(\w+)(?::[^}]*)?\}/g)].map((m) => m[1] ?? ""))].sort();
