import { describe, expect, it } from "vitest";
import { activityState, executionsPath, listFigure } from "./activity-filter.js";

describe("activity filter", () => {
  it("reads a known state from the URL and ignores anything else", () => {
    expect(activityState(new URLSearchParams("state=pending_approval"))).toBe("pending_approval");
    expect(activityState(new URLSearchParams("state=completed"))).toBeNull();
    expect(activityState(new URLSearchParams(""))).toBeNull();
  });
  it("builds the list request with the filter and the paging cursor", () => {
    expect(executionsPath(null)).toBe("/api/executions?limit=50");
    expect(executionsPath("pending_approval")).toBe("/api/executions?limit=50&state=pending_approval");
    expect(executionsPath("pending_approval", "a/b")).toBe("/api/executions?limit=50&state=pending_approval&cursor=a%2Fb");
  });
  it("shows a count, with + when there are more pages", () => {
    expect(listFigure({ items: [1, 2, 3], next_cursor: null })).toBe("3");
    expect(listFigure({ items: [1, 2], next_cursor: "x" })).toBe("2+");
  });
});
