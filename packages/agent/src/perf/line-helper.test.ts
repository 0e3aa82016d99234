/** LineHelper against a real child process speaking the same line protocol as the Windows helper. */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { tempDir, type TempDir } from "@kanade/testkit";
import { HelperError, LineHelper } from "./line-helper.js";

/** A stand-in helper: answers `io` with JSON, dies on `crash`, never answers `hang`; logs each start. */
const FAKE = `
const fs = require("node:fs");
fs.appendFileSync(process.env.STARTS, process.pid + "\\n");
let n = 0;
require("node:readline").createInterface({ input: process.stdin }).on("line", (line) => {
  if (line === "crash") process.exit(3);
  if (line === "hang") return;
  process.stdout.write(JSON.stringify({ req: line, n: ++n, pid: process.pid }) + "\\n");
}).on("close", () => process.exit(0));
`;

describe("LineHelper", () => {
  let dir: TempDir | undefined;
  let helper: LineHelper | undefined;
  afterEach(() => {
    helper?.close();
    dir?.remove();
  });
  const make = (): { helper: LineHelper; starts: () => number[] } => {
    dir = tempDir();
    const file = dir.join("starts");
    helper = new LineHelper({ file: process.execPath, args: ["-e", FAKE] }, { env: { ...process.env, STARTS: file } });
    return { helper, starts: () => readFileSync(file, "utf8").trim().split("\n").map(Number) };
  };

  it("answers 50 requests, in order, from one process", async () => {
    const { helper, starts } = make();
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => helper.request(`io-${i}`, 10_000)));
    expect(answers.map((a) => (JSON.parse(a) as { req: string }).req)).toEqual(Array.from({ length: 50 }, (_, i) => `io-${i}`));
    expect(answers.map((a) => (JSON.parse(a) as { n: number }).n)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(starts()).toHaveLength(1);
    expect(helper.starts).toBe(1);
  });

  it("a helper that dies fails the request in flight; the next request starts a new one", async () => {
    const { helper, starts } = make();
    const first = JSON.parse(await helper.request("io", 10_000)) as { pid: number };
    await expect(helper.request("crash", 10_000)).rejects.toThrow(/exited \(code 3\)/);
    const after = JSON.parse(await helper.request("io", 10_000)) as { pid: number; n: number };
    expect(after.pid).not.toBe(first.pid);
    expect(after.n).toBe(1);
    expect(starts()).toHaveLength(2);
  });

  it("a helper that stops answering is killed after the timeout and replaced", async () => {
    const { helper, starts } = make();
    const queued = helper.request("io", 10_000);
    await expect(helper.request("hang", 300)).rejects.toThrow(HelperError);
    expect(JSON.parse(await queued)).toMatchObject({ req: "io" });
    expect(JSON.parse(await helper.request("io", 10_000))).toMatchObject({ req: "io", n: 1 });
    expect(starts()).toHaveLength(2);
  });

  it("a helper that cannot start rejects with the reason; close rejects what waits", async () => {
    helper = new LineHelper({ file: "/nonexistent/kanade-helper", args: [] });
    await expect(helper.request("io", 1_000)).rejects.toThrow(/kanade-helper/);
    helper.close();
    await expect(helper.request("io", 1_000)).rejects.toThrow(/closed/);
  });
});
