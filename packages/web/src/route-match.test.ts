import { describe, expect, it } from "vitest";
import { matchRoute } from "./route-match.js";

describe("matchRoute", () => {
  it("maps paths to pages with decoded parameters", () => {
    expect(matchRoute("/")).toEqual({ page: "dashboard" });
    expect(matchRoute("/agents/")).toEqual({ page: "agents" });
    expect(matchRoute("/agents/pc%2D1")).toEqual({ page: "agent", pc: "pc-1" });
    expect(matchRoute("/activity/abc")).toEqual({ page: "execution", execId: "abc" });
    expect(matchRoute("/results/r1")).toEqual({ page: "result", resultId: "r1" });
    expect(matchRoute("/perf")).toEqual({ page: "perf" });
    expect(matchRoute("/run")).toEqual({ page: "run" });
    expect(matchRoute("/enrollment")).toEqual({ page: "enroll" });
    expect(matchRoute("/perm-groups")).toEqual({ page: "permGroups" });
    expect(matchRoute("/support")).toEqual({ page: "support" });
    expect(matchRoute("/nope/x/y")).toEqual({ page: "notFound" });
  });
});
