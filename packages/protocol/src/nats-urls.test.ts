import { describe, expect, it } from "vitest";
import { natsServers, parseNatsUrls } from "./nats-urls.js";

describe("parseNatsUrls", () => {
  it("keeps one URL as it was and splits a comma-separated list of cluster nodes", () => {
    expect(parseNatsUrls("nats://127.0.0.1:4222")).toEqual({ ok: true, urls: ["nats://127.0.0.1:4222"] });
    expect(parseNatsUrls(" nats://n1:4222, nats://n2:4222 ,tls://n3:4222,")).toEqual({ ok: true, urls: ["nats://n1:4222", "nats://n2:4222", "tls://n3:4222"] });
    expect(parseNatsUrls(["nats://n1:4222", "n2:4222"])).toEqual({ ok: true, urls: ["nats://n1:4222", "n2:4222"] });
  });

  it("names the bad entry", () => {
    const r = parseNatsUrls("nats://n1:4222,http://n2:4222");
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(/"http:\/\/n2:4222".*nats:\/\/ or tls:\/\//);
    expect(parseNatsUrls(" , ").ok).toBe(false);
    expect(parseNatsUrls("not a url").ok).toBe(false);
  });

  it("natsServers gives nats.js the list", () => {
    expect(natsServers("nats://a:1,nats://b:2")).toEqual(["nats://a:1", "nats://b:2"]);
  });
});
