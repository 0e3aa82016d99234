/** Fills `{name}` placeholders; pure so it is testable without React. */
import { en, type MessageKey } from "./en.js";
import { ja } from "./ja.js";

export const LANGS = ["en", "ja"] as const;
export type Lang = (typeof LANGS)[number];
export const CATALOGS: Record<Lang, Record<MessageKey, string>> = { en, ja };

export type Vars = Record<string, string | number>;

export function formatMessage(lang: Lang, key: MessageKey, vars: Vars = {}): string {
  const template = CATALOGS[lang][key] ?? en[key];
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

/** The browser's preferred language if we have it, else English. */
export function pickLang(preferred: readonly string[]): Lang {
  for (const p of preferred) {
    const base = p.toLowerCase().split("-")[0];
    if (base === "ja" || base === "en") return base;
  }
  return "en";
}

export const placeholders = (s: string): string[] => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? "").sort();
