import { describe, expect, it } from "vitest";
import { en } from "./en.js";
import { CATALOGS, LANGS, formatMessage, pickLang, placeholders } from "./format-message.js";

describe("i18n catalogs", () => {
  it("every catalog has every key, non-empty, with the same placeholders as English", () => {
    for (const lang of LANGS) {
      const cat = CATALOGS[lang];
      expect(Object.keys(cat).sort()).toEqual(Object.keys(en).sort());
      for (const [key, text] of Object.entries(en)) {
        const translated = cat[key as keyof typeof en];
        expect(translated.trim(), `${lang}:${key}`).not.toBe("");
        expect(placeholders(translated), `${lang}:${key}`).toEqual(placeholders(text));
      }
    }
  });
  it("fills placeholders and leaves unknown ones visible", () => {
    expect(formatMessage("en", "agents.count", { shown: 3, total: 10 })).toBe("3 of 10 agents");
    expect(formatMessage("ja", "agents.count", { shown: 3, total: 10 })).toBe("10 台中 3 台を表示");
    expect(formatMessage("en", "agents.selected")).toBe("{n} selected");
  });
  it("says 1 PC and 303 PCs", () => {
    expect(formatMessage("en", "activity.killAction", { n: 1 })).toBe("Kill on 1 PC");
    expect(formatMessage("en", "activity.killAction", { n: 12 })).toBe("Kill on 12 PCs");
    expect(formatMessage("ja", "activity.killAction", { n: 12 })).toBe("12 台で強制終了");
  });
  it("picks the browser's language when we have it", () => {
    expect(pickLang(["ja-JP", "en-US"])).toBe("ja");
    expect(pickLang(["fr-FR", "en-GB"])).toBe("en");
    expect(pickLang([])).toBe("en");
  });
});
