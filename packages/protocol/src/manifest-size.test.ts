import { describe, expect, it } from "vitest";
import { MAX_MANIFEST_BYTES, byteLength, manifestBodySizeIssue, manifestValueSizeIssue } from "./manifest-size.js";

/** A value whose JSON is exactly `n` bytes: `{"s":"xxx…"}`. */
const jsonOfSize = (n: number): { s: string } => ({ s: "x".repeat(n - '{"s":""}'.length) });

describe("byteLength", () => {
  const samples = [
    "",
    "plain ascii",
    'quotes " and backslashes \\ C:\\Windows',
    "controls \b\f\n\r\t \x00 \x01 \x1b \x1f \x7f",
    "C1 \u0085 \u009b, latin é, cjk 奏, emoji 🎵",
    "lone surrogates \ud800 x \udfff y \ud83c",
    "\u2028\u2029",
  ];

  it("counts UTF-8 and JSON bytes exactly as Node encodes them", () => {
    let seed = 7;
    const rand = (): number => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const random = Array.from({ length: 200 }, () => String.fromCharCode(...Array.from({ length: 40 }, () => Math.floor(rand() * 0x10000))));
    for (const s of [...samples, ...random]) {
      expect(byteLength(s), JSON.stringify(s)).toBe(Buffer.byteLength(s, "utf8"));
      expect(byteLength(s, { json: true }), JSON.stringify(s)).toBe(Buffer.byteLength(JSON.stringify(s), "utf8"));
    }
  });

  it("stops counting past the cap, so a huge string costs no more than the cap", () => {
    const n = byteLength("x".repeat(1_000_000), { cap: 10 });
    expect(n).toBeGreaterThan(10);
    expect(n).toBeLessThan(20);
  });
});

describe("manifest size limits", () => {
  it("refuses a body over MAX_MANIFEST_BYTES, and not one at the limit", () => {
    expect(MAX_MANIFEST_BYTES).toBe(512 * 1024);
    expect(manifestBodySizeIssue(MAX_MANIFEST_BYTES)).toBeUndefined();
    expect(manifestBodySizeIssue(3 * 1024 * 1024)).toEqual({
      path: "",
      message: "the manifest is 3072 KiB; at most 512 KiB (it is stored as one NATS message) — put a large script in a script object",
    });
  });

  it("measures a value as its JSON: exactly the limit passes, one byte more is refused", () => {
    expect(JSON.stringify(jsonOfSize(MAX_MANIFEST_BYTES)).length).toBe(MAX_MANIFEST_BYTES);
    expect(manifestValueSizeIssue(jsonOfSize(MAX_MANIFEST_BYTES))).toBeUndefined();
    expect(manifestValueSizeIssue(jsonOfSize(MAX_MANIFEST_BYTES + 1))?.path).toBe("s");
  });

  it("blames the biggest field, a whole array rather than one item, or the document when nothing stands out", () => {
    const big = "y".repeat(MAX_MANIFEST_BYTES / 2);
    expect(manifestValueSizeIssue({ id: "a", execute: { script: big + big, timeout: "1s" } })).toEqual({
      path: "execute.script",
      message: "too big: makes the manifest over 512 KiB as JSON, the most a job can store (one NATS message)",
    });
    // The walk stops in `timeout`, but `script` is what made the manifest big.
    const nearly = "z".repeat(MAX_MANIFEST_BYTES - 50);
    expect(manifestValueSizeIssue({ execute: { script: nearly, timeout: "600s", run_as: "system" } })?.path).toBe("execute.script");
    const columns = Array.from({ length: 20_000 }, (_, i) => ({ field: `f${i}`, label: `label ${i}` }));
    expect(manifestValueSizeIssue({ inventory: { display: columns } })?.path).toBe("inventory.display");
    expect(manifestValueSizeIssue(big + big)).toEqual({
      path: "",
      message: "the manifest is over 512 KiB as JSON, the most a job can store (one NATS message)",
    });
  });

  it("counts a shared value once per use, as JSON would repeat it", () => {
    const quarter = "q".repeat(MAX_MANIFEST_BYTES / 4);
    const shared = [quarter, quarter, quarter, quarter, quarter];
    expect(manifestValueSizeIssue({ description: shared })?.path).toBe("description");
  });

  it("refuses data that contains itself or nests absurdly deep, without overflowing the stack", () => {
    const loop: { shell: string; cwd?: unknown } = { shell: "sh" };
    loop.cwd = loop;
    expect(manifestValueSizeIssue({ execute: loop })).toEqual({ path: "execute.cwd", message: "contains itself (a recursive YAML alias)" });
    let deep: unknown = "x";
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(manifestValueSizeIssue({ description: deep })?.message).toBe("is nested too deeply (at most 32 levels)");
  });
});

describe("bulkiestYamlField", () => {
  it("names the block that holds most of the text, two levels deep at most", async () => {
    const { bulkiestYamlField } = await import("./manifest-size.js");
    const script = Array.from({ length: 50 }, (_, i) => `    echo line ${i}`).join("\n");
    expect(bulkiestYamlField(`id: a\nversion: 1.0.0\nexecute:\n  shell: sh\n  script: |\n${script}\n  timeout: 10s\n`)).toBe("execute.script");
    expect(bulkiestYamlField(`id: a\ndescription: ${"x".repeat(500)}\nexecute:\n  shell: sh\n`)).toBe("description");
    expect(bulkiestYamlField("")).toBe("");
  });
});
