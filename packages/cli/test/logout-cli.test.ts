/** `kanade logout` against a real backend: it ends the saved session on the server, not only the local file. */
import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, startNatsServer, startTestBackend, tempDir, type NatsServer, type TempDir, type TestBackend } from "@kanade/testkit";

const PASSWORD = "correct horse battery";

let nats: NatsServer | undefined;
let backend: TestBackend | undefined;
let home: TempDir | undefined;

beforeAll(async () => {
  nats = await startNatsServer();
  backend = await startTestBackend(nats.url);
  home = tempDir("kanade-cli-logout-");
  expect((await backend.api("POST", "/api/accounts", { username: "lou", password: PASSWORD, role: "viewer" })).status).toBe(201);
});
afterAll(async () => {
  await backend?.close();
  await nats?.dispose();
  home?.remove();
});

const cli = (args: string[], input?: string) =>
  runCli(args, { backendUrl: backend!.url, env: { XDG_CONFIG_HOME: home!.path }, timeoutMs: 30_000, ...(input ? { input } : {}) });
const tokenFile = (): string => home!.join("kanade", "token");
const statusWith = async (token: string): Promise<number> =>
  (await fetch(`${backend!.url}/api/jobs`, { headers: { authorization: `Bearer ${token}` } })).status;

describe("kanade logout", () => {
  it("ends the session on the backend, removes the token file, and is harmless when run again", async () => {
    expect((await cli(["login", "--username", "lou", "--password-stdin"], PASSWORD + "\n")).code).toBe(0);
    const token = readFileSync(tokenFile(), "utf8").trim();
    expect(await statusWith(token)).toBe(200);

    const out = await cli(["logout"]);
    expect(out.stderr).toBe("");
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(`session ended; removed ${tokenFile()}\n`);
    expect(existsSync(tokenFile())).toBe(false);
    // A copy of the token kept elsewhere is worthless now.
    expect(await statusWith(token)).toBe(401);

    const again = await cli(["logout", "--json"]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ token_file: tokenFile(), removed: false, ended: false });
  });

  it("still removes the file when the session had already ended on the backend", async () => {
    expect((await cli(["login", "--username", "lou", "--password-stdin"], PASSWORD + "\n")).code).toBe(0);
    expect((await backend!.api("PATCH", "/api/accounts/lou", { disabled: true })).status).toBe(200);
    const out = await cli(["logout"]);
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(`the session had already ended; removed ${tokenFile()}\n`);
    expect(existsSync(tokenFile())).toBe(false);
  });
});
