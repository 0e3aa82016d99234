import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { NatsConnection } from "@nats-io/nats-core";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { platformOf, releaseKey, resolveConfig, type EffectiveConfig } from "@kanade/protocol/wire";
import { tempDir, type TempDir } from "@kanade/testkit";
import type { ConfigListener } from "../effective-config.js";
import { loadState } from "./state.js";
import { SelfUpdater } from "./updater.js";

const platform = platformOf(process.platform, process.arch);
const key = (v: string): string => (platform ? releaseKey(v, platform) : v);

class FakeSettings {
  private cfg: EffectiveConfig;
  private readonly listeners = new Set<ConfigListener>();

  constructor(target: string | undefined) {
    this.cfg = FakeSettings.of(target);
  }

  static of(target: string | undefined): EffectiveConfig {
    return resolveConfig({ global: { ...(target ? { target_version: target } : {}), target_version_jitter: "0s" } }, []);
  }

  current(): EffectiveConfig {
    return this.cfg;
  }

  subscribe(listener: ConfigListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  setTarget(target: string | undefined): void {
    const previous = this.cfg;
    this.cfg = FakeSettings.of(target);
    for (const l of this.listeners) l(this.cfg, previous);
  }
}

/** Each download waits until the test finishes or fails it. */
interface PendingDownload {
  key: string;
  dest: string;
  finish(content: string): void;
  fail(err: Error): void;
}

let dir: TempDir;
let updater: SelfUpdater | undefined;
let downloads: PendingDownload[];
let swapped: string[];

beforeEach(() => {
  dir = tempDir("kanade-updater-");
  downloads = [];
  swapped = [];
  writeFileSync(dir.join("agent"), "build 1.0.0");
});

afterEach(() => {
  updater?.stop();
  dir.remove();
});

function start(settings: FakeSettings): void {
  updater = new SelfUpdater({
    nc: {} as NatsConnection,
    log: pino({ level: "silent" }),
    dataDir: dir.path,
    exePath: dir.join("agent"),
    version: "1.0.0",
    settings,
    onSwapped: (v) => void swapped.push(v),
    download: (_nc, k, dest) =>
      new Promise((resolve, reject) => {
        downloads.push({
          key: k,
          dest,
          finish: (content) => {
            writeFileSync(dest, content);
            resolve({ size: content.length, sha256: "test" });
          },
          fail: reject,
        });
      }),
  });
  updater.start();
}

const nthDownload = (n: number): Promise<PendingDownload> =>
  vi.waitFor(
    () => {
      const d = downloads[n];
      if (!d) throw new Error(`download #${n + 1} not started`);
      return d;
    },
    { timeout: 2_000 },
  );

describe.skipIf(!platform)("self-update follows target_version during a download", () => {
  it("does not swap in a build whose target changed while it downloaded; fetches the new target", async () => {
    const settings = new FakeSettings("2.0.0");
    start(settings);
    const first = await nthDownload(0);
    expect(first.key).toBe(key("2.0.0"));
    settings.setTarget("3.0.0");
    first.finish("build 2.0.0");
    const second = await nthDownload(1);
    expect(second.key).toBe(key("3.0.0"));
    expect(swapped).toEqual([]);
    second.finish("build 3.0.0");
    await vi.waitFor(() => expect(swapped).toEqual(["3.0.0"]), { timeout: 2_000 });
    expect(readFileSync(dir.join("agent"), "utf8")).toBe("build 3.0.0");
    expect(readFileSync(dir.join("agent.old"), "utf8")).toBe("build 1.0.0");
    expect(loadState(dir.path).pending).toEqual({ version: "3.0.0", from_version: "1.0.0", attempts: 0 });
  });

  it("does not retry a failed download of a target that changed meanwhile", async () => {
    const settings = new FakeSettings("2.0.0");
    start(settings);
    const first = await nthDownload(0);
    settings.setTarget("3.0.0");
    first.fail(new Error("broker went away"));
    // The retry of 2.0.0 would only come after the 5 s backoff; 3.0.0 is fetched at once.
    expect((await nthDownload(1)).key).toBe(key("3.0.0"));
  });

  it("leaves the executable alone when the target is cleared during the download", async () => {
    const settings = new FakeSettings("2.0.0");
    start(settings);
    const first = await nthDownload(0);
    settings.setTarget(undefined);
    first.finish("build 2.0.0");
    await vi.waitFor(() => expect(existsSync(first.dest)).toBe(false), { timeout: 2_000 });
    expect(swapped).toEqual([]);
    expect(readFileSync(dir.join("agent"), "utf8")).toBe("build 1.0.0");
    expect(existsSync(dir.join("agent.old"))).toBe(false);
    expect(loadState(dir.path).pending).toBeUndefined();
  });
});
