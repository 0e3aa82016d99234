/**
 * The stack a page's e2e test needs: the SPA built from source, a nats-server, a backend serving the build, a
 * fleet of in-process agents and Chromium signed in with the static token. `prepare` runs before the browser
 * opens (jobs to create, agents to wait for); `close` takes it all down in reverse.
 */
import type { BrowserContext, Page } from "playwright-core";
import { createApiClient, type ApiClient } from "@kanade/protocol";
import { startNatsServer, startTestBackend, startTestFleet, tempDir, type NatsServer, type TempDir, type TestBackend, type TestFleet } from "@kanade/testkit";
import { buildSpa, openSignedIn, requireChromium } from "./browser.js";

export interface UiStack {
  nats: NatsServer;
  backend: TestBackend;
  fleet: TestFleet;
  dir: TempDir;
  api: ApiClient;
  ctx: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export interface UiStackOptions {
  /** Prefix of the temp dir, e.g. `kanade-web-events-`. */
  prefix: string;
  pcs: readonly string[];
  backend?: Omit<NonNullable<Parameters<typeof startTestBackend>[1]>, "webRoot">;
  fleet?: Parameters<typeof startTestFleet>[2];
  prepare?: (stack: Omit<UiStack, "ctx" | "page" | "close">) => Promise<void>;
}

export async function startUiStack(opts: UiStackOptions): Promise<UiStack> {
  requireChromium();
  const dir = tempDir(opts.prefix);
  const undo: (() => Promise<unknown> | void)[] = [() => dir.remove()];
  const close = async (): Promise<void> => {
    for (const step of undo.splice(0).reverse()) await step();
  };
  try {
    await buildSpa(dir.join("dist"));
    const nats = await startNatsServer();
    undo.push(() => nats.stop());
    const backend = await startTestBackend(nats.url, { ...opts.backend, webRoot: dir.join("dist") });
    undo.push(() => backend.close());
    const fleet = await startTestFleet(nats.url, opts.pcs, opts.fleet);
    undo.push(() => fleet.close());
    const api = createApiClient({ baseUrl: backend.url, token: backend.token, validateResponses: true });
    await opts.prepare?.({ nats, backend, fleet, dir, api });
    const { ctx, page } = await openSignedIn(dir.join("chromium-profile"), backend.url, backend.token);
    undo.push(() => ctx.close());
    return { nats, backend, fleet, dir, api, ctx, page, close };
  } catch (err) {
    await close();
    throw err;
  }
}
