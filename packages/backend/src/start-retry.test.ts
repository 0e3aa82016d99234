import { TimeoutError } from "@nats-io/transport-node";
import { describe, expect, it } from "vitest";
import { KanadeError } from "@kanade/protocol";
import { jetStreamBusy } from "./bootstrap.js";
import { startWithRetry } from "./start-retry.js";

const quiet = { warn: (): void => undefined };

describe("startWithRetry", () => {
  it("starts again after a broker timeout and returns what the later attempt started", async () => {
    let calls = 0;
    const started = await startWithRetry(
      async () => {
        calls++;
        if (calls < 3) throw new TimeoutError();
        return "running";
      },
      { retryable: jetStreamBusy, log: quiet, delayMs: 1 },
    );
    expect(started).toBe("running");
    expect(calls).toBe(3);
  });

  it("fails at once on a refusal such as a bad replica count", async () => {
    let calls = 0;
    const refusal = new KanadeError("INVALID_CONFIG", "KANADE_NATS_REPLICAS=5 but the broker has 3 nodes");
    await expect(
      startWithRetry(
        async () => {
          calls++;
          throw refusal;
        },
        { retryable: jetStreamBusy, log: quiet, delayMs: 1 },
      ),
    ).rejects.toBe(refusal);
    expect(calls).toBe(1);
  });

  it("stops trying when asked to, with the last error", async () => {
    let calls = 0;
    await expect(
      startWithRetry(
        async () => {
          calls++;
          throw new TimeoutError();
        },
        { retryable: jetStreamBusy, log: quiet, delayMs: 1, keepTrying: () => calls < 2 },
      ),
    ).rejects.toBeInstanceOf(TimeoutError);
    expect(calls).toBe(2);
  });
});
