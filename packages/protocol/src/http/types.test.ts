import { describe, expectTypeOf, it } from "vitest";
import type { ExecutionView } from "../api.js";
import type { RouteInput, RouteOutput, WebSocketFrame } from "./types.js";
import type { PerfFrame } from "../api.js";

describe("server-side route types", () => {
  it("gives a handler its parsed params, query and body, and what it must return", () => {
    expectTypeOf<RouteInput<"getExecution">["params"]>().toEqualTypeOf<{ exec_id: string }>();
    expectTypeOf<RouteInput<"getExecution">["query"]>().toEqualTypeOf<{ rows?: boolean | undefined; wait_ms?: number | undefined }>();
    expectTypeOf<RouteInput<"getExecution">["body"]>().toEqualTypeOf<undefined>();
    expectTypeOf<RouteOutput<"getExecution">>().toEqualTypeOf<ExecutionView>();
    // Defaults applied: the handler sees a number even when the client sent none.
    expectTypeOf<RouteInput<"listResults">["query"]["limit"]>().toEqualTypeOf<number>();
    expectTypeOf<RouteInput<"setAgentGroups">["body"]>().toEqualTypeOf<{ groups: string[] }>();
    expectTypeOf<RouteInput<"createJob">["body"]>().toEqualTypeOf<unknown>();
    expectTypeOf<RouteOutput<"exportJob">>().toEqualTypeOf<string>();
    expectTypeOf<WebSocketFrame<"watchAgentPerf">>().toEqualTypeOf<PerfFrame>();
  });
});
