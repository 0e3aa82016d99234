/**
 * Layered agent config routes (SPEC §4/§7). PUT replaces a scope; PATCH merges into it (JSON merge
 * patch: a field set to null is removed), which is what `kanade config set|unset` uses.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { GROUP_RE, KanadeError, configScopeInputSchema, pcIdSchema, type ConfigScope } from "@kanade/protocol";
import { openConfigScopes, scopeKey, type ScopeRef } from "../config-scopes.js";
import type { RouteDeps } from "../deps.js";
import { parseOr400, zodDetails } from "../errors.js";
import { requireNats } from "../nats.js";
import { callerOf } from "./caller.js";

const groupParams = z.object({ g: z.string().regex(GROUP_RE, "expected a group name (letters, digits, _ and -, at most 63)") });
const pcParams = z.object({ pc: pcIdSchema });
const patchBody = z.record(z.string(), z.unknown());

/** 400 INVALID_CONFIG whose message names every bad field. */
function validScope(value: unknown): ConfigScope {
  const r = configScopeInputSchema.safeParse(value ?? {});
  if (r.success) return r.data;
  const details = zodDetails(r.error);
  const list = details.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)).join("; ");
  throw new KanadeError("INVALID_CONFIG", `invalid config: ${list}`, { details });
}

export function configRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const scopes = openConfigScopes(deps.nats, deps.log);
  const show = (scope: ScopeRef, config: ConfigScope): { scope: string; config: ConfigScope } => ({ scope: scopeKey(scope), config });

  /** Runs a change of one scope with its audit record, and answers the scope as it is now. */
  const change = async (
    req: FastifyRequest,
    action: string,
    scope: ScopeRef,
    run: () => Promise<ConfigScope>,
  ): Promise<{ scope: string; config: ConfigScope }> => {
    requireNats(deps.nats);
    const config = await deps.auditLog.around(callerOf(req), { action, target: scopeKey(scope) }, run, (c) => ({ payload: { config: c } }));
    req.log.info({ scope: scopeKey(scope), config }, "agent config changed");
    return show(scope, config);
  };

  /** GET/PUT/PATCH/DELETE for one scope family; `ref` turns path params into the scope. */
  const routes = (path: string, ref: (req: FastifyRequest) => ScopeRef): void => {
    app.get(path, async (req) => {
      const scope = ref(req);
      requireNats(deps.nats);
      return show(scope, await scopes.get(scope));
    });
    app.put(path, async (req) => {
      const scope = ref(req);
      const value = validScope(req.body);
      return change(req, "config.put", scope, async () => {
        await scopes.put(scope, value);
        return value;
      });
    });
    app.patch(path, async (req) => {
      const scope = ref(req);
      const patch = parseOr400(patchBody, req.body ?? {}, "body");
      return change(req, "config.patch", scope, () =>
        scopes.update(scope, (current) => {
          const merged: Record<string, unknown> = { ...current };
          for (const [k, v] of Object.entries(patch)) {
            if (v === null) delete merged[k];
            else merged[k] = v;
          }
          return validScope(merged);
        }),
      );
    });
    app.delete(path, async (req) => {
      const scope = ref(req);
      return change(req, "config.clear", scope, async () => {
        await scopes.remove(scope);
        return {};
      });
    });
  };

  routes("/api/config", () => ({ kind: "global" }));
  routes("/api/groups/:g/config", (req) => ({ kind: "group", name: parseOr400(groupParams, req.params, "group").g }));
  routes("/api/pcs/:pc/config", (req) => ({ kind: "pc", name: parseOr400(pcParams, req.params, "pc_id").pc }));

  app.get("/api/agents/:pc/effective_config", async (req) => {
    const { pc } = parseOr400(pcParams, req.params, "pc_id");
    requireNats(deps.nats);
    const groups = await deps.groups.get(pc);
    return { pc_id: pc, groups, ...(await scopes.effective(pc, groups)) };
  });
}
