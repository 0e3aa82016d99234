import { describe, expect, it } from "vitest";
import { SERVICE_ROLES, SERVICES } from "./services.js";
import { winswXml, winswXmlFor } from "./winsw-xml.js";

/** Tags in document order, checking that every open tag is closed in order (well-formedness of our subset). */
function checkNesting(xml: string): string[] {
  const body = xml.replace(/<\?xml[^>]*\?>/, "").replace(/<!--[\s\S]*?-->/g, "");
  const stack: string[] = [];
  const seen: string[] = [];
  for (const m of body.matchAll(/<(\/?)([A-Za-z][\w]*)([^>]*?)(\/?)>/g)) {
    const [, close, name, , selfClose] = m;
    if (name === undefined) continue;
    if (close) {
      expect(stack.pop(), `closing </${name}>`).toBe(name);
    } else {
      seen.push(name);
      if (!selfClose) stack.push(name);
    }
  }
  expect(stack).toEqual([]);
  expect(body.replace(/<[^>]*>/g, "")).not.toMatch(/[<>]/);
  return seen;
}

const texts = (xml: string, tag: string): string[] => [...xml.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, "g"))].map((m) => m[1] ?? "");
const attrs = (xml: string, tag: string): Record<string, string>[] =>
  [...xml.matchAll(new RegExp(`<${tag}((?:\\s+\\w+="[^"]*")*)\\s*/>`, "g"))].map((m) =>
    Object.fromEntries([...(m[1] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((a) => [a[1], a[2]])),
  );

describe("winswXml", () => {
  it.each(SERVICE_ROLES)("%s: well-formed, one service, the role's id and program", (role) => {
    const xml = winswXmlFor(role);
    const tags = checkNesting(xml);
    expect(tags[0]).toBe("service");
    expect(tags.filter((t) => t === "service")).toHaveLength(1);
    expect(texts(xml, "id")).toEqual([SERVICES[role].id]);
    expect(texts(xml, "executable")).toEqual([`%BASE%\\${SERVICES[role].executable}`]);
    expect(texts(xml, "startmode")).toEqual(["Automatic"]);
    expect(xml.endsWith("</service>\r\n")).toBe(true);
  });

  it("restarts after 5 s, 15 s and 60 s, and forgets failures after an hour", () => {
    for (const role of SERVICE_ROLES) {
      const xml = winswXmlFor(role);
      expect(attrs(xml, "onfailure")).toEqual([
        { action: "restart", delay: "5 sec" },
        { action: "restart", delay: "15 sec" },
        { action: "restart", delay: "60 sec" },
      ]);
      expect(texts(xml, "resetfailure")).toEqual(["1 hour"]);
    }
  });

  it("rolls the wrapper logs by size under the role's own folder", () => {
    const xml = winswXmlFor("nats");
    expect(texts(xml, "logpath")).toEqual(["%ProgramData%\\Kanade\\nats\\logs"]);
    expect(xml).toContain('<log mode="roll-by-size">');
    expect(texts(xml, "sizeThreshold")).toEqual(["10240"]);
    expect(texts(xml, "keepFiles")).toEqual(["8"]);
  });

  it("stops cleanly: Ctrl+C to the program first, a kill only after the stop timeout", () => {
    const xml = winswXmlFor("agent");
    expect(texts(xml, "stopparentprocessfirst")).toEqual(["true"]);
    expect(texts(xml, "stoptimeout")).toEqual(["60 sec"]);
  });

  it("gives the agent its config and data dir, and NATS its config file", () => {
    expect(attrs(winswXmlFor("agent"), "env")).toEqual([
      { name: "KANADE_AGENT_CONFIG", value: "%ProgramData%\\Kanade\\agent.toml" },
      { name: "KANADE_AGENT_DATA_DIR", value: "%ProgramData%\\Kanade\\agent" },
      { name: "KANADE_SERVICE_RESTART", value: "&quot;%BASE%\\KanadeAgent.exe&quot; restart!" },
    ]);
    expect(texts(winswXmlFor("nats"), "arguments")).toEqual(['-c &quot;%ProgramData%\\Kanade\\nats-server.conf&quot;']);
    expect(texts(winswXmlFor("backend"), "arguments")).toEqual([]);
  });

  it("escapes text that would break the XML", () => {
    const xml = winswXml({ ...SERVICES.backend, description: "a < b & c > d", env: { X: 'say "hi"' } });
    checkNesting(xml);
    expect(texts(xml, "description")).toEqual(["a &lt; b &amp; c &gt; d"]);
    expect(attrs(xml, "env")).toEqual([{ name: "X", value: "say &quot;hi&quot;" }]);
  });
});
