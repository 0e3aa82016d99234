/** Language context: `useT()` returns `t(key, vars)` for the chosen language (kept in localStorage). */
import { createContext, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import type { MessageKey } from "./en.js";
import { formatMessage, pickLang, type Lang, type Vars } from "./format-message.js";

interface I18nValue {
  lang: Lang;
  setLang(lang: Lang): void;
  t(key: MessageKey, vars?: Vars): string;
}

const I18nContext = createContext<I18nValue | null>(null);
const KEY = "kanade.lang";

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(() => {
    const saved = window.localStorage.getItem(KEY);
    return saved === "en" || saved === "ja" ? saved : pickLang(navigator.languages);
  });
  // Screen readers, fonts and hyphenation follow <html lang>: it must say the page's language from the start.
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const value = useMemo<I18nValue>(
    () => ({
      lang,
      setLang: (l) => {
        window.localStorage.setItem(KEY, l);
        setLangState(l);
      },
      t: (key, vars) => formatMessage(lang, key, vars),
    }),
    [lang],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18nValue {
  const v = useContext(I18nContext);
  if (!v) throw new Error("useI18n outside I18nProvider");
  return v;
}

export const useT = (): I18nValue["t"] => useI18n().t;
