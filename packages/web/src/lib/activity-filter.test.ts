import { describe, expect, it } from "vitest";
import { ACTIVITY_STATES, activityLink, activityState, executionsInput, listFigure } from "./activity-filter.js";

describe("activity filter", () => {
  it("offers every stored state the backend filters on", () => {
    expect([...ACTIVITY_STATES].sort()).toEqual(["expired", "failed_to_publish", "killed", "pending_approval", "rejected", "running"]);
  });
  it("reads a known state from the URL and ignores anything else", () => {
    expect(activityState(new URLSearchParams("state=pending_approval"))).toBe("pending_approval");
    expect(activityState(new URLSearchParams("state=killed"))).toBe("killed");
    expect(activityState(new URLSearchParams("state=failed_to_publish"))).toBe("failed_to_publish");
    expect(activityState(new URLSearchParams("state=completed"))).toBeNull();
    expect(activityState(new URLSearchParams(""))).toBeNull();
  });
  it("builds the list request with the filter and the paging cursor", () => {
    expect(executionsInput(null)).toEqual({ query: { limit: 50 } });
    expect(executionsInput("killed")).toEqual({ query: { limit: 50, state: "killed" } });
    expect(executionsInput("pending_approval", "a/b")).toEqual({ query: { limit: 50, state: "pending_approval", cursor: "a/b" } });
  });
  it("links to the filtered page, and back to all", () => {
    expect(activityLink("failed_to_publish")).toBe("/activity?state=failed_to_publish");
    expect(activityLink(null)).toBe("/activity");
  });
  it("shows a count, with + when there are more pages", () => {
    expect(listFigure({ items: [1, 2, 3], next_cursor: null })).toBe("3");
    expect(listFigure({ items: [1, 2], next_cursor: "x" })).toBe("2+");
  });
});
