/**
 * `kanade login --sso`: single sign-on through the browser. The CLI listens on a random loopback port,
 * prints (and opens) the backend's SSO start URL with that listener as `return_to` and the SHA-256 of a
 * secret it keeps as `handoff_challenge`; the backend sends the browser back to the listener with a
 * one-time handoff code, which only the secret turns into the session.
 */
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import { isErrorCode, pathFor, type LoginResponse } from "@kanade/protocol";
import type { Deps } from "../../deps.js";
import { CliError } from "../../errors.js";

/** How long the CLI waits for the browser to come back. */
const WAIT_MS = 5 * 60_000;
const CALLBACK_PATH = "/callback";

const page = (title: string, text: string): string =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head><body style="font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto"><h1>${title}</h1><p id="result">${text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")}</p></body></html>`;

/** Opens the URL in the desktop's browser; a machine without one just has the printed URL. */
function openBrowser(url: string): void {
  const [cmd, args] =
    process.platform === "win32" ? ["cmd", ["/c", "start", '""', url.replace(/&/g, "^&")]] : process.platform === "darwin" ? ["open", [url]] : ["xdg-open", [url]];
  try {
    const child = spawn(cmd, args as string[], { stdio: "ignore", detached: true });
    child.on("error", () => undefined);
    child.unref();
  } catch {
    // No opener: the URL is printed above.
  }
}

type Outcome = { ok: true; code: string } | { ok: false; error: CliError };

/** Listens on 127.0.0.1 (random port) for the browser's return; resolves with the handoff code or the error. */
async function listen(): Promise<{ port: number; outcome: Promise<Outcome>; server: Server }> {
  let settle: (o: Outcome) => void = () => undefined;
  const outcome = new Promise<Outcome>((resolve) => (settle = resolve));
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname !== CALLBACK_PATH) return void res.writeHead(404).end();
    const code = url.searchParams.get("handoff");
    const error = url.searchParams.get("error");
    res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
    if (code) {
      res.end(page("Signed in to kanade", "You can close this tab and go back to the terminal."));
      settle({ ok: true, code });
    } else {
      const description = url.searchParams.get("error_description") ?? "the sign-in did not finish";
      res.end(page("Single sign-on failed", description));
      const apiCode = error && isErrorCode(error) ? error : undefined;
      settle({ ok: false, error: new CliError(description, apiCode ? { code: apiCode } : {}) });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const addr = server.address();
  return { port: typeof addr === "object" && addr ? addr.port : 0, outcome, server };
}

export async function ssoLogin(deps: Deps, opts: { browser: boolean }): Promise<LoginResponse> {
  const methods = await deps.client.call("getAuthMethods");
  if (!methods.sso) throw new CliError(`${deps.client.config.baseUrl} does not offer single sign-on ([oidc] is not configured); log in with --username`);
  const verifier = randomBytes(32).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  const { port, outcome, server } = await listen();
  try {
    const query = new URLSearchParams({ return_to: `http://127.0.0.1:${port}${CALLBACK_PATH}`, handoff_challenge: challenge });
    const url = `${deps.client.config.baseUrl.replace(/\/+$/, "")}${pathFor("startSso")}?${query.toString()}`;
    deps.io.err(`sign in with ${methods.sso.name} in your browser; if it does not open, open this URL:\n${url}\nwaiting for the browser (5 minutes)…\n`);
    if (opts.browser) openBrowser(url);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<Outcome>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false, error: new CliError("the browser did not come back within 5 minutes; run `kanade login --sso` again") }), WAIT_MS);
    });
    const result = await Promise.race([outcome, timeout]);
    clearTimeout(timer);
    if (!result.ok) throw result.error;
    return await deps.client.call("ssoHandoff", { body: { code: result.code, verifier } });
  } finally {
    server.closeAllConnections();
    server.close();
  }
}
