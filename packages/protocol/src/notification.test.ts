import { describe, expect, it } from "vitest";
import { jsonSchema } from "./json-schemas.js";
import { parseNotificationEventSubject, parseNotificationYaml, validateNotification } from "./notification.js";
import { subjects } from "./subjects.js";

const NOW = new Date("2026-12-01T00:00:00Z");
const good = `id: vpn-maintenance
priority: warning
require_ack: true
title: VPN maintenance
body: |
  The **VPN** is down from 22:00.
expires_at: 2026-12-03T00:00:00Z
target:
  groups: [sales]
`;
const issues = (text: string): { path: string; message: string }[] => {
  const r = parseNotificationYaml(text, NOW);
  return r.ok ? [] : r.issues;
};

describe("notification manifest", () => {
  it("takes a good manifest, require_ack defaulting to false", () => {
    const r = parseNotificationYaml(good, NOW);
    expect(r.ok && r.manifest).toMatchObject({ id: "vpn-maintenance", priority: "warning", require_ack: true, target: { groups: ["sales"] } });
    const plain = parseNotificationYaml(good.replace("require_ack: true\n", ""), NOW);
    expect(plain.ok && plain.manifest.require_ack).toBe(false);
  });

  it("names each bad field", () => {
    expect(issues(good.replace("priority: warning", "priority: urgent"))).toEqual([{ path: "priority", message: "expected one of info, warning, emergency" }]);
    expect(issues(good.replace("require_ack: true", "require_ack: yes please"))).toEqual([{ path: "require_ack", message: "expected true or false" }]);
    expect(issues(good.replace("title: VPN maintenance", "title: '  '"))).toEqual([{ path: "title", message: "must not be empty" }]);
    expect(issues(good.replace("expires_at: 2026-12-03T00:00:00Z", "expires_at: tomorrow"))[0]?.path).toBe("expires_at");
    expect(issues(good.replace("id: vpn-maintenance", "id: Has.Dots"))[0]?.path).toBe("id");
    expect(issues(good.replace("  groups: [sales]", "  groups: []"))[0]?.path).toBe("target.groups");
    expect(issues(good.replace("target:\n  groups: [sales]\n", "target: {}\n"))).toEqual([{ path: "target", message: "one of pcs, groups or all is required" }]);
    expect(issues(`${good}require_acks: true\n`)).toEqual([{ path: "", message: "unknown field(s): require_acks" }]);
    expect(issues(good.replace(/body: \|\n.*\n/, ""))).toEqual([{ path: "body", message: "required" }]);
    expect(issues("- a list\n")).toEqual([{ path: "", message: "expected a YAML mapping with id, priority, title, body, expires_at and target" }]);
    expect(issues("id: [unclosed\n")[0]?.message).toMatch(/YAML syntax error at line/);
  });

  it("refuses a notice that has already expired, but only when given the time", () => {
    const past = good.replace("2026-12-03T00:00:00Z", "2026-11-30T00:00:00Z");
    expect(issues(past)).toEqual([{ path: "expires_at", message: "must be in the future (it is now 2026-12-01T00:00:00.000Z)" }]);
    expect(parseNotificationYaml(past).ok).toBe(true);
    expect(validateNotification({ id: "x", priority: "info", title: "t", body: "", expires_at: "2026-12-02T00:00:00+09:00", target: { all: true } }, NOW).ok).toBe(true);
  });

  it("event subjects round-trip, and others are not taken for one", () => {
    expect(parseNotificationEventSubject(subjects.notificationAcked("pc-1", "uid:1000", "vpn"))).toEqual({ kind: "acked", pcId: "pc-1", user: "uid:1000", notifId: "vpn" });
    expect(parseNotificationEventSubject(subjects.notificationShown("pc-1", "sid:S-1-5-21-1", "vpn"))?.kind).toBe("shown");
    expect(parseNotificationEventSubject("events.notifications.deleted.pc-1.uid:1.vpn")).toBeUndefined();
    expect(parseNotificationEventSubject("events.started.x.pc-1")).toBeUndefined();
  });

  it("has a JSON Schema for editors that knows the fields", () => {
    const doc = jsonSchema("notification") as { properties: Record<string, unknown>; additionalProperties: boolean };
    expect(Object.keys(doc.properties).sort()).toEqual(["body", "expires_at", "id", "priority", "require_ack", "target", "title"]);
    expect(doc.additionalProperties).toBe(false);
  });
});
