import { describe, expect, it } from "vitest";
import { tagDiff } from "./tag-diff.js";

describe("tagDiff: what the tag editor sends", () => {
  it("sends only new or changed values and the keys that are gone; empty rows are ignored", () => {
    const before = { site: "osaka", owner: "it", rack: "4" };
    const rows = [
      { key: "site", value: "osaka" },
      { key: "owner", value: " finance " },
      { key: "floor", value: "3" },
      { key: "", value: "" },
    ];
    expect(tagDiff(before, rows)).toEqual({ set: { owner: "finance", floor: "3" }, remove: ["rack"] });
    expect(tagDiff(before, Object.entries(before).map(([key, value]) => ({ key, value })))).toEqual({ set: {}, remove: [] });
  });
});
