import { describe, expect, it } from "vitest";
import { execution, row } from "../../../test/fixtures.js";
import { allSucceeded, failureReason } from "./outcome.js";

describe("exec --wait outcome", () => {
  it("succeeds only when every targeted PC succeeded", () => {
    const ok = execution([row("a", "succeeded"), row("b", "succeeded")]);
    expect(allSucceeded(ok, ok.rows)).toBe(true);
    const short = { ...ok, target_count: 3 };
    expect(allSucceeded(short, ok.rows)).toBe(false);
    expect(allSucceeded({ ...ok, target_count: 0 }, [])).toBe(false);
  });

  it("counts the PCs that did not succeed, and PCs with no row at all", () => {
    const e = execution([row("a", "succeeded"), row("b", "failed")]);
    expect(failureReason(e, e.rows)).toBe("1 of 2 PC(s) did not succeed");
    expect(failureReason({ ...e, target_count: 4 }, e.rows)).toBe("3 of 4 PC(s) did not succeed");
  });

  it("names a failed publish, a kill, a rejection with the backend's reason", () => {
    const notSent = { ...execution([row("a", "not_sent"), row("b", "not_sent")]), state: "failed_to_publish" as const, state_reason: "the broker did not take the commands (timeout); nothing was queued" };
    expect(failureReason(notSent, notSent.rows)).toBe("execution failed_to_publish (the broker did not take the commands (timeout); nothing was queued)");
    const killed = { ...execution([row("a", "succeeded"), row("b", "killed")]), state: "killed" as const };
    expect(failureReason(killed, killed.rows)).toBe("execution killed: 1 of 2 PC(s) did not succeed");
    const early = { ...killed, state_reason: "killed by otto before it was approved" };
    expect(failureReason(early, [])).toBe("execution killed (killed by otto before it was approved): 2 of 2 PC(s) did not succeed");
    const rejected = { ...execution([row("a", "pending")]), state: "rejected" as const, state_reason: null };
    expect(failureReason(rejected, rejected.rows)).toBe("execution rejected");
  });
});
