/**
 * A real OpenID Connect provider (`oidc-provider`) on a free loopback port, for single sign-on tests: one
 * confidential client, people the test defines (subject → username, e-mail, groups), a plain sign-in page
 * (a username field, no password) that grants every requested scope, refresh tokens, and revocation of a
 * person's grants as an admin at the provider would.
 */
import { generateKeyPairSync } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import Provider, { type KoaContextWithOIDC } from "oidc-provider";
import { freePort } from "./net.js";

export interface IdpPerson {
  preferred_username: string;
  email?: string;
  groups: string[];
}

export interface TestIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Adds or changes a person; later tokens (refreshes included) carry the new claims. */
  setPerson(subject: string, person: IdpPerson): void;
  /** Ends every grant the person gave: their refresh tokens stop working. */
  revokeGrants(subject: string): Promise<number>;
  /** How many refresh-token grants the provider answered (for tests that a re-check happened). */
  refreshes(): number;
  close(): Promise<void>;
}

const escape = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escape(title)}</title></head><body><h1>${escape(title)}</h1>${body}</body></html>`;
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString("utf8"));
}

export async function startTestIdp(opts: { redirectUris: string[]; clientId?: string; clientSecret?: string }): Promise<TestIdp> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const clientId = opts.clientId ?? "kanade";
  const clientSecret = opts.clientSecret ?? "kanade-test-client-secret-0123456789";
  const people = new Map<string, IdpPerson>();
  const grants = new Map<string, Set<string>>();
  let refreshCount = 0;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: opts.redirectUris,
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_post",
      },
    ],
    async findAccount(_ctx: KoaContextWithOIDC, sub: string) {
      const person = people.get(sub);
      if (!person) return undefined;
      return { accountId: sub, claims: () => ({ sub, ...people.get(sub) }) };
    },
    claims: { openid: ["sub"], profile: ["preferred_username", "groups"], email: ["email"] },
    // Claims in the ID token itself, as Entra ID and Keycloak put groups there.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: { devInteractions: { enabled: false }, revocation: { enabled: true } },
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed("refresh_token"),
    cookies: { keys: ["kanade-test-idp-cookie-key"] },
    // A signing key of its own (without one, oidc-provider warns that it uses shared development keys).
    jwks: { keys: [{ ...generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({ format: "jwk" }), kid: "test-idp", use: "sig", alg: "RS256" }] },
  });
  provider.on("grant.success", (ctx: KoaContextWithOIDC) => {
    if (ctx.oidc.params?.grant_type === "refresh_token") refreshCount++;
  });
  const oidcCallback = provider.callback();

  const interaction = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const details = await provider.interactionDetails(req, res);
    const uid = details.uid;
    const form = (error = ""): string =>
      page(
        "Test identity provider",
        `${error ? `<p role="alert">${escape(error)}</p>` : ""}<form method="post" action="/interaction/${uid}">` +
          `<label>Username <input name="login" autocomplete="off" autofocus></label> <button type="submit">Sign in</button></form>`,
      );
    if (req.method === "GET") {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(form());
      return;
    }
    const login = (await readForm(req)).get("login") ?? "";
    const sub = [...people.entries()].find(([, p]) => p.preferred_username === login)?.[0];
    if (!sub) {
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(form(`No person "${login}" at this provider`));
      return;
    }
    const grant = new provider.Grant({ accountId: sub, clientId: String(details.params.client_id) });
    grant.addOIDCScope(String(details.params.scope));
    const grantId = await grant.save();
    grants.set(sub, (grants.get(sub) ?? new Set()).add(grantId));
    await provider.interactionFinished(req, res, { login: { accountId: sub }, consent: { grantId } }, { mergeWithLastSubmission: false });
  };

  const server: Server = createServer((req, res) => {
    if (req.url?.startsWith("/interaction/")) {
      interaction(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end(String((err as Error).message));
      });
      return;
    }
    void oidcCallback(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });

  return {
    issuer,
    clientId,
    clientSecret,
    setPerson: (subject, person) => void people.set(subject, person),
    revokeGrants: async (subject) => {
      let n = 0;
      for (const id of grants.get(subject) ?? []) {
        const grant = await provider.Grant.find(id);
        if (grant) {
          await grant.destroy();
          n++;
        }
      }
      grants.delete(subject);
      return n;
    },
    refreshes: () => refreshCount,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface BrowseResult {
  /** The last URL requested. */
  url: string;
  status: number;
  /** Where the last answer redirects to (set when `stopAt` stopped the walk there). */
  location?: string;
  text: string;
}

/**
 * Walks a sign-in as a browser would, with fetch and a cookie jar: follows redirects, fills the test
 * provider's sign-in form with `username`, and stops at the first answer that is not a redirect, or
 * before requesting a URL `stopAt` accepts. `jar` may be shared to play one browser across walks.
 */
export async function browseSignIn(
  startUrl: string,
  username: string,
  opts: { stopAt?: (url: URL) => boolean; jar?: Map<string, Map<string, string>> } = {},
): Promise<BrowseResult> {
  const jar = opts.jar ?? new Map<string, Map<string, string>>();
  let url = new URL(startUrl);
  let form: URLSearchParams | undefined;
  for (let hop = 0; hop < 30; hop++) {
    const cookies = jar.get(url.host) ?? new Map<string, string>();
    const res = await fetch(url, {
      method: form ? "POST" : "GET",
      redirect: "manual",
      headers: {
        ...(cookies.size ? { cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join("; ") } : {}),
        ...(form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
      },
      ...(form ? { body: form.toString() } : {}),
    });
    form = undefined;
    for (const c of res.headers.getSetCookie()) {
      const [pair = "", ...attrs] = c.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const gone = value === "" || attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || attrs.some((a) => /expires=Thu, 01 Jan 1970/i.test(a));
      if (gone) cookies.delete(name);
      else cookies.set(name, value);
    }
    jar.set(url.host, cookies);
    const location = res.headers.get("location");
    if (res.status >= 300 && res.status < 400 && location) {
      await res.body?.cancel();
      const next = new URL(location, url);
      if (opts.stopAt?.(next)) return { url: url.href, status: res.status, location: next.href, text: "" };
      url = next;
      continue;
    }
    const text = await res.text();
    const action = /<form method="post" action="(\/interaction\/[^"]+)"/.exec(text)?.[1];
    if (res.status === 200 && action && !text.includes('role="alert"')) {
      url = new URL(action, url);
      form = new URLSearchParams({ login: username });
      continue;
    }
    return { url: url.href, status: res.status, text };
  }
  throw new Error(`browseSignIn: more than 30 redirects from ${startUrl}`);
}
