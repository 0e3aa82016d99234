import { describe, expect, it } from "vitest";
import { docsPath, fillPath, pathFor, pathParamNames } from "./path.js";

describe("pathFor", () => {
  it("fills each :param, encoded with encodeURIComponent", () => {
    expect(pathFor("getJob", { id: "hello" })).toBe("/api/jobs/hello");
    expect(pathFor("getKvEntry", { bucket: "agent_config", key: "pcs.pc-1/../x y" })).toBe("/api/jetstream/kv/agent_config/pcs.pc-1%2F..%2Fx%20y");
    expect(pathFor("removeAgentGroup", { pc: "pc?1", g: "lab#2" })).toBe("/api/agents/pc%3F1/groups/lab%232");
    expect(pathFor("listJobs")).toBe("/api/jobs");
  });

  it("refuses to build a path with a parameter missing", () => {
    expect(() => fillPath("/api/jobs/:id/yaml", {})).toThrow('/api/jobs/:id/yaml: missing path parameter "id"');
  });

  it("reads the parameter names and writes the docs' {param} form", () => {
    expect(pathParamNames("/api/app-packages/:name/:version")).toEqual(["name", "version"]);
    expect(docsPath("/api/results/:result_id/output/:stream")).toBe("/api/results/{result_id}/output/{stream}");
  });
});
