/** Waiting for killed processes to disappear: shared by both platforms' killTree. */
import { setTimeout as sleep } from "node:timers/promises";

/** How long a killed tree gets to disappear before its survivors are reported. */
export const KILL_VERIFY_MS = 5_000;
const POLL_MS = 50;

/** Polls `running()` until it returns nothing or the time is up; returns what still runs then. */
export async function waitUntilGone<T>(running: () => T[] | Promise<T[]>, timeoutMs = KILL_VERIFY_MS): Promise<T[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = await running();
    if (left.length === 0 || Date.now() >= deadline) return left;
    await sleep(POLL_MS);
  }
}
