import { describe, expect, it } from "vitest";
import { configKeys, parseExecPcSubject, resultOutputKey, subjects } from "./subjects.js";

describe("subjects", () => {
  it("builds the subjects of SPEC §2", () => {
    expect(subjects.commandsPc("PC-01")).toBe("commands.pc.PC-01");
    expect(subjects.commandsGroup("canary")).toBe("commands.group.canary");
    expect(subjects.commandsAll()).toBe("commands.all");
    expect(subjects.result("e1", "pc")).toBe("results.e1.pc");
    expect(subjects.started("e1", "pc")).toBe("events.started.e1.pc");
    expect(subjects.kill("e1")).toBe("kill.e1");
    expect(subjects.heartbeat("pc")).toBe("heartbeat.pc");
    expect(subjects.inventory("pc", "sw")).toBe("inventory.pc.sw");
    expect(subjects.agentPerfLive("pc")).toBe("agents.pc.perf.live");
    expect(subjects.notificationAcked("pc", "u", "n")).toBe("events.notifications.acked.pc.u.n");
  });

  it("parses exec and pc ids back out of result and started subjects", () => {
    expect(parseExecPcSubject("results.0192-x.dev-pc")).toEqual({ execId: "0192-x", pcId: "dev-pc" });
    expect(parseExecPcSubject("events.started.E.P")).toEqual({ execId: "E", pcId: "P" });
    expect(parseExecPcSubject("x")).toBeUndefined();
  });

  it("names config and output keys", () => {
    expect(configKeys.group("lab")).toBe("groups.lab");
    expect(configKeys.pc("p")).toBe("pcs.p");
    expect(resultOutputKey("r", "stderr")).toBe("r/stderr");
  });
});
