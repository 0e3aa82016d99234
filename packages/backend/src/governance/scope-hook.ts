/**
 * Enforces permission groups on every route (see scope-rules.ts): after authentication, a scoped caller's
 * request is checked against its route's rule before the handler runs, and list answers are filtered to the
 * scope before they are sent. Accounts in no permission group, admins and the static token pass untouched.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { KanadeError, apiRoutes, type RouteName } from "@kanade/protocol";
import type { SqlDatabase } from "../db/database.js";
import { routeKey } from "./policy.js";
import { outOfScope, requireCapability, type Scope, type ScopeResolver } from "./scope.js";
import { SCOPE_RULES, type FilterName, type ScopeRule } from "./scope-rules.js";

declare module "fastify" {
  interface FastifyRequest {
    /** Set when the caller is an account in permission groups. */
    scope: Scope | undefined;
  }
}

/** Point reads the checks need: who an execution reaches, which PC a result is from. */
export interface ScopeLookups {
  /** undefined: no such execution. */
  execution(execId: string): { issued_by: string; targets: string[] } | undefined;
  resultPc(resultId: string): string | undefined;
}

export function sqlScopeLookups(db: SqlDatabase): ScopeLookups {
  const st = {
    exec: db.prepare(`SELECT issued_by FROM executions WHERE exec_id = ?`),
    targets: db.prepare(`SELECT pc_id FROM execution_targets WHERE exec_id = ?`).pluck(),
    result: db.prepare(`SELECT pc_id FROM results WHERE result_id = ?`).pluck(),
  };
  return {
    execution: (id) => {
      const row = st.exec.get(id) as { issued_by: string } | undefined;
      return row ? { issued_by: row.issued_by, targets: st.targets.all(id) as string[] } : undefined;
    },
    resultPc: (id) => st.result.get(id) as string | undefined,
  };
}

/**
 * An execution is the scoped caller's to see when every PC it targets is in scope; one that reached no PC is
 * seen only by whoever fired it. One that also reached other PCs stays hidden (its counts would tell about
 * them); its results on the caller's PCs are still listed under results.
 */
export function executionVisible(e: { issued_by: string; targets: string[] }, scope: Scope, actor: string): boolean {
  return e.targets.length === 0 ? e.issued_by === actor : e.targets.every((pc) => scope.has(pc));
}

const NAMES: ReadonlyMap<string, RouteName> = new Map(
  (Object.keys(apiRoutes) as RouteName[]).map((name) => [routeKey(apiRoutes[name].method, apiRoutes[name].path), name]),
);

function ruleOf(req: FastifyRequest): { name: RouteName; rule: ScopeRule } | undefined {
  const url = req.routeOptions.url;
  if (url === undefined) return undefined;
  const name = NAMES.get(routeKey(req.method === "HEAD" ? "GET" : req.method, url));
  return name ? { name, rule: SCOPE_RULES[name] } : undefined;
}

const param = (req: FastifyRequest, key: string): string => String((req.params as Record<string, unknown>)[key] ?? "");

type Items = { items?: unknown[] } & Record<string, unknown>;
const pcOf = (x: unknown): string => String((x as { pc_id?: unknown }).pc_id ?? "");

function filterAnswer(filter: FilterName, payload: unknown, scope: Scope, actor: string, lookups: ScopeLookups): unknown {
  if (payload === null || typeof payload !== "object") return payload;
  const body = payload as Items;
  const keep = (pred: (x: unknown) => boolean): Items => (Array.isArray(body.items) ? { ...body, items: body.items.filter(pred) } : body);
  const seen = (execId: string): boolean => {
    const e = lookups.execution(execId);
    return e !== undefined && executionVisible(e, scope, actor);
  };
  switch (filter) {
    case "pcItems":
      return keep((x) => scope.has(pcOf(x)));
    case "pcField":
      if (!scope.has(pcOf(body))) throw outOfScope(scope, `PC "${pcOf(body)}"`);
      return body;
    case "executions":
      return keep((x) => seen(String((x as { exec_id?: unknown }).exec_id ?? "")));
    case "audit":
      return keep((x) => {
        const r = x as { actor?: string; target?: string };
        const target = r.target ?? "";
        return r.actor === actor || scope.has(target) || scope.hasGroup(target) || seen(target);
      });
    case "groups":
      return keep((x) => scope.hasGroup(String((x as { name?: unknown }).name ?? "")));
    case "fleetPerf": {
      const kept = keep((x) => scope.has(pcOf(x)));
      return { ...kept, total: kept.items?.length ?? 0 };
    }
    case "missingApps": {
      const kept = keep((x) => scope.has(pcOf(x)));
      const without = Array.isArray(body.without_inventory) ? (body.without_inventory as string[]).filter((pc) => scope.has(pc)) : body.without_inventory;
      return { ...kept, without_inventory: without };
    }
  }
}

export function registerScopes(app: FastifyInstance, deps: { resolver: ScopeResolver; lookups: ScopeLookups }): void {
  app.decorateRequest("scope", undefined);
  app.addHook("preHandler", async (req) => {
    const who = req.identity;
    if (who?.kind !== "account" || who.role === "admin") return;
    const scope = await deps.resolver.forAccount(who.actor);
    if (!scope) return;
    req.scope = scope;
    const found = ruleOf(req);
    // Unknown routes 404 on their own; the SPA's files are not API.
    if (!found) return;
    const { rule } = found;
    const what = `${req.method} ${req.routeOptions.url ?? ""}`;
    // A PC named in the query (a list's filter, the PC a live tail asks) must be in scope too.
    const query = (req.query ?? {}) as Record<string, unknown>;
    for (const key of ["pc", "pc_id"]) {
      const pc = query[key];
      if (typeof pc === "string" && pc !== "" && !scope.has(pc)) throw outOfScope(scope, `PC "${pc}"`);
    }
    switch (rule.kind) {
      case "fleet":
        throw new KanadeError("OUT_OF_SCOPE", `${what} covers the whole fleet; accounts in permission groups (${scope.permGroups.join(", ")}) cannot use it`);
      case "pc": {
        const pc = param(req, "pc");
        if (!scope.has(pc)) throw outOfScope(scope, `PC "${pc}"`);
        break;
      }
      case "group": {
        const g = param(req, "g");
        if (!scope.hasGroup(g)) throw outOfScope(scope, `Group "${g}"`);
        break;
      }
      case "exec": {
        const id = param(req, "exec_id");
        const e = deps.lookups.execution(id);
        if (e && !executionVisible(e, scope, who.actor)) {
          const outside = e.targets.filter((pc) => !scope.has(pc));
          throw outOfScope(scope, `Execution ${id} (it also reaches ${outside.length} PC(s) outside your scope)`);
        }
        break;
      }
      case "result": {
        const pc = deps.lookups.resultPc(param(req, "result_id"));
        if (pc !== undefined && !scope.has(pc)) throw outOfScope(scope, "That result's PC");
        break;
      }
      default:
        break;
    }
    if ("cap" in rule && rule.cap) requireCapability(scope, rule.cap, what);
  });
  app.addHook("preSerialization", async (req, _reply, payload) => {
    const scope = req.scope;
    if (!scope) return payload;
    const found = ruleOf(req);
    if (found?.rule.kind !== "filter") return payload;
    // Errors pass as they are.
    if (payload && typeof payload === "object" && "error" in payload) return payload;
    return filterAnswer(found.rule.filter, payload, scope, req.actor, deps.lookups);
  });
}
