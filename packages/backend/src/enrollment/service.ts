/**
 * Who may join the fleet. An agent's join request (its pc_id and public key) waits for an operator, or is
 * accepted at once with a valid enrollment token; accepting mints the agent's broker credential. A pc_id
 * enrolled under one key is never given to another key unless an operator accepts the conflict, which
 * revokes the old key. Revoking pushes the key into the account's revocation list: the broker cuts the
 * agent off within seconds and refuses it from then on.
 */
import { createHash, randomBytes } from "node:crypto";
import {
  KanadeError,
  enrollRequestSchema,
  parseDurationMs,
  type CommandKey,
  type EnrollmentState,
  type EnrollmentView,
  type EnrollReply,
  type EnrollTokenCreate,
  type EnrollTokenCreated,
  type EnrollTokenView,
} from "@kanade/protocol";
import { enrollTokenCreateSchema } from "@kanade/protocol";
import type { Logger } from "pino";
import { v7 as uuidv7 } from "uuid";
import type { Audit } from "../audit/index.js";
import { SYSTEM_CALLER, type Caller } from "../caller.js";
import type { EnrollmentStore } from "./store.js";

export interface EnrollmentDeps {
  store: EnrollmentStore;
  /** Mints a user JWT for `pcId`'s key; `notBefore` keeps it newer than a revocation of the same key. */
  mint(pcId: string, publicKey: string, notBefore: Date): string;
  /** Pushes the current revocation list to the broker. */
  pushRevocations(revoked: Map<string, string>): Promise<void>;
  commandKeys(): CommandKey[];
  addToGroup(pcId: string, group: string): Promise<void>;
  audit: Audit;
  log: Logger;
  clock: () => Date;
  /** What install scripts write on a new PC: the broker URL agents use and the enrollment credential. */
  installer: InstallerFacts;
}

export interface InstallerFacts {
  natsUrl: string;
  enrollCreds: string;
  /** The WinSW exe the Windows installer registers as KanadeAgent.exe (see installer-files.ts). */
  serviceWrapper?: string;
  /** The CA file (PEM) of a `tls://` broker, handed to agents. */
  natsCa?: string;
}

export interface Enrollment {
  readonly installer: InstallerFacts;
  /** Answers one `enroll.request` (already JSON-decoded, not yet validated). */
  join(body: unknown): Promise<EnrollReply>;
  list(state?: EnrollmentState | "attention"): EnrollmentView[];
  accept(pcs: readonly string[], caller: Caller): Promise<EnrollmentView[]>;
  reject(pcs: readonly string[], caller: Caller): Promise<EnrollmentView[]>;
  revoke(pcId: string, caller: Caller): Promise<EnrollmentView>;
  createToken(input: EnrollTokenCreate, caller: Caller): Promise<EnrollTokenCreated>;
  listTokens(): EnrollTokenView[];
  /** The token's view when it is still valid (without using it up); UNAUTHORIZED otherwise. */
  checkToken(token: string): EnrollTokenView;
}

const hashToken = (token: string): string => createHash("sha256").update(token, "utf8").digest("hex");
/** Tokens carry a recognisable prefix so a leaked one is easy to grep for. */
const TOKEN_PREFIX = "kanade-enroll-";

const enrollCaller = (pcId: string): Caller => ({ ...SYSTEM_CALLER, actor: `enrollment:${pcId}` });

export function createEnrollment(deps: EnrollmentDeps): Enrollment {
  const { store, audit, log } = deps;
  const now = (): string => deps.clock().toISOString();

  const accepted = (v: EnrollmentView): EnrollReply => {
    const revokedAt = deps.store.revokedKeys().get(v.public_key);
    // A JWT issued at or before a revocation of its key is refused: mint it a second later than that.
    const notBefore = revokedAt ? new Date(Math.max(deps.clock().getTime(), Date.parse(revokedAt) + 1_000)) : deps.clock();
    return { status: "accepted", message: "enrolled", jwt: deps.mint(v.pc_id, v.public_key, notBefore), command_keys: deps.commandKeys() };
  };

  const notFound = (pcId: string): KanadeError => new KanadeError("AGENT_NOT_FOUND", `No join request from "${pcId}"`, { details: [{ path: "pcs", message: `${pcId} never asked to join` }] });

  const join = async (body: unknown): Promise<EnrollReply> => {
    const parsed = enrollRequestSchema.safeParse(body);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      return { status: "rejected", message: `invalid join request: ${i?.path.join(".") ?? ""}: ${i?.message ?? "invalid"}` };
    }
    const req = parsed.data;
    const at = now();
    const row = store.get(req.pc_id);
    if (row && row.public_key === req.public_key) {
      if (row.state === "accepted") return accepted(row);
      if (row.state === "pending") return { status: "pending", message: `waiting for an operator: kanade agent accept ${req.pc_id}` };
      if (row.state === "rejected") return { status: "rejected", message: `an operator rejected ${req.pc_id}` };
      // Revoked: the same key may come back only when an operator accepts it again.
      store.put({ ...row, state: "pending", requested_at: at, hostname: req.hostname });
      await audit.record(enrollCaller(req.pc_id), { action: "agent.enroll_request", target: req.pc_id, payload: { public_key: req.public_key, after: "revoked" } });
      return { status: "pending", message: `${req.pc_id} was revoked; waiting for an operator: kanade agent accept ${req.pc_id}` };
    }
    if (row && (row.state === "accepted" || row.state === "pending")) {
      // Never silently replaced: the other key waits beside the enrolled (or already requested) one.
      if (row.conflict?.public_key !== req.public_key) {
        store.setConflict(req.pc_id, { public_key: req.public_key, hostname: req.hostname, requested_at: at });
        await audit.record(enrollCaller(req.pc_id), { action: "agent.enroll_conflict", target: req.pc_id, payload: { public_key: req.public_key, enrolled_key: row.public_key, hostname: req.hostname } });
        log.warn({ pc_id: req.pc_id, hostname: req.hostname }, "join request under another key than the one on record: waiting for an operator");
      }
      return { status: "conflict", message: `${req.pc_id} is already ${row.state === "accepted" ? "enrolled" : "requested"} under another key; an operator must accept this one (kanade agent accept ${req.pc_id})` };
    }
    // New, or a new key after a rejection or revocation.
    const token = req.enroll_token ? store.useToken(hashToken(req.enroll_token), at) : undefined;
    if (req.enroll_token && !token) {
      log.warn({ pc_id: req.pc_id }, "join request with an unknown, used-up or expired enrollment token");
    }
    const view: EnrollmentView = {
      pc_id: req.pc_id,
      hostname: req.hostname,
      public_key: req.public_key,
      state: token ? "accepted" : "pending",
      requested_at: at,
      decided_at: token ? at : null,
      decided_by: token ? `token:${token.token_id}` : null,
      via_token: token?.token_id ?? null,
      conflict: null,
    };
    store.put(view);
    await audit.record(enrollCaller(req.pc_id), {
      action: token ? "agent.enroll_token_accept" : "agent.enroll_request",
      target: req.pc_id,
      payload: { public_key: req.public_key, hostname: req.hostname, ...(token ? { token_id: token.token_id, group: token.group } : {}), ...(req.enroll_token && !token ? { token: "invalid" } : {}) },
    });
    if (!token) {
      log.info({ pc_id: req.pc_id, hostname: req.hostname }, "agent asks to join");
      return { status: "pending", message: `waiting for an operator: kanade agent accept ${req.pc_id}${req.enroll_token ? " (the enrollment token is unknown, used up or expired)" : ""}` };
    }
    if (token.group) await deps.addToGroup(req.pc_id, token.group);
    log.info({ pc_id: req.pc_id, token_id: token.token_id, group: token.group }, "agent enrolled with a token");
    return accepted(view);
  };

  const decide = async (pcs: readonly string[], caller: Caller, action: "accept" | "reject"): Promise<EnrollmentView[]> => {
    const rows = pcs.map((pc) => store.get(pc) ?? (() => { throw notFound(pc); })());
    const out: EnrollmentView[] = [];
    let revoked = false;
    for (const row of rows) {
      const at = now();
      const done = await audit.around(caller, { action: `agent.${action}`, target: row.pc_id }, async () => {
        if (action === "reject") {
          // Rejecting a conflict keeps the enrolled key; rejecting a request ends it.
          const next: EnrollmentView = row.conflict ? { ...row, conflict: null } : { ...row, state: "rejected", decided_at: at, decided_by: caller.actor };
          store.put(next);
          return next;
        }
        if (row.conflict) {
          // The operator chose the new key: the old one is refused from now on.
          store.revokeKey(row.public_key, row.pc_id, at);
          revoked = true;
          const next: EnrollmentView = { ...row, public_key: row.conflict.public_key, hostname: row.conflict.hostname, requested_at: row.conflict.requested_at, state: "accepted", decided_at: at, decided_by: caller.actor, via_token: null, conflict: null };
          store.put(next);
          return next;
        }
        const next: EnrollmentView = { ...row, state: "accepted", decided_at: at, decided_by: caller.actor };
        store.put(next);
        return next;
      }, (v) => ({ payload: { public_key: v.public_key, state: v.state } }));
      out.push(done);
    }
    if (revoked) await deps.pushRevocations(store.revokedKeys());
    return out;
  };

  return {
    installer: deps.installer,
    join,
    list: (state) => store.list(state),
    accept: (pcs, caller) => decide(pcs, caller, "accept"),
    reject: (pcs, caller) => decide(pcs, caller, "reject"),
    revoke: async (pcId, caller) => {
      const row = store.get(pcId);
      if (!row) throw notFound(pcId);
      return audit.around(caller, { action: "agent.revoke", target: pcId, payload: { public_key: row.public_key } }, async () => {
        const at = now();
        store.revokeKey(row.public_key, pcId, at);
        const next: EnrollmentView = { ...row, state: "revoked", decided_at: at, decided_by: caller.actor };
        store.put(next);
        await deps.pushRevocations(store.revokedKeys());
        log.warn({ pc_id: pcId }, "agent revoked");
        return next;
      });
    },
    createToken: async (input, caller) => {
      const r = enrollTokenCreateSchema.safeParse(input);
      if (!r.success) {
        const i = r.error.issues[0];
        throw new KanadeError("BAD_REQUEST", `${i?.path.join(".") ?? "body"}: ${i?.message ?? "invalid"}`, { details: r.error.issues.map((x) => ({ path: x.path.join("."), message: x.message })) });
      }
      const created = deps.clock();
      const token = `${TOKEN_PREFIX}${randomBytes(24).toString("base64url")}`;
      const view: EnrollTokenView = {
        token_id: uuidv7(),
        group: r.data.group ?? null,
        uses_left: r.data.uses,
        expires_at: new Date(created.getTime() + (parseDurationMs(r.data.expires) ?? 86_400_000)).toISOString(),
        created_by: caller.actor,
        created_at: created.toISOString(),
      };
      await audit.around(caller, { action: "enroll_token.create", target: view.token_id, payload: { group: view.group, uses: view.uses_left, expires_at: view.expires_at } }, async () => {
        store.addToken(view, hashToken(token));
      });
      return { ...view, token };
    },
    listTokens: () => store.listTokens(now()),
    checkToken: (token) => {
      const t = store.findToken(hashToken(token), now());
      if (!t) throw new KanadeError("UNAUTHORIZED", "The enrollment token is unknown, used up or expired");
      return t;
    },
  };
}
