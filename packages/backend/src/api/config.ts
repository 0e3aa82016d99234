/**
 * Layered agent config routes (SPEC §4/§7). PUT replaces a scope; PATCH merges into it (JSON merge
 * patch: a field set to null is removed), which is what `kanade config set|unset` uses.
 */
import type { FastifyInstance } from "fastify";
import { KanadeError, configScopeInputSchema, type ConfigScope } from "@kanade/protocol";
import type { Caller } from "../caller.js";
import { openConfigScopes, scopeKey, type ScopeRef } from "../config-scopes.js";
import type { RouteDeps } from "../deps.js";
import { zodDetails } from "../errors.js";
import { requireNats } from "../nats.js";
import { serve } from "./route.js";

/** 400 INVALID_CONFIG whose message names every bad field. */
function validScope(value: unknown): ConfigScope {
  const r = configScopeInputSchema.safeParse(value ?? {});
  if (r.success) return r.data;
  const details = zodDetails(r.error);
  const list = details.map((d) => (d.path ? `${d.path}: ${d.message}` : d.message)).join("; ");
  throw new KanadeError("INVALID_CONFIG", `invalid config: ${list}`, { details });
}

type ScopeAnswer = { scope: string; config: ConfigScope };

export function configRoutes(app: FastifyInstance, deps: RouteDeps): void {
  const scopes = openConfigScopes(deps.nats, deps.log);
  const show = (scope: ScopeRef, config: ConfigScope): ScopeAnswer => ({ scope: scopeKey(scope), config });

  /** Runs a change of one scope with its audit record, and answers the scope as it is now. */
  const change = async (caller: Caller, action: string, scope: ScopeRef, run: () => Promise<ConfigScope>): Promise<ScopeAnswer> => {
    requireNats(deps.nats);
    const config = await deps.auditLog.around(caller, { action, target: scopeKey(scope) }, run, (c) => ({ payload: { config: c } }));
    deps.log.info({ scope: scopeKey(scope), config }, "agent config changed");
    return show(scope, config);
  };
  const get = async (scope: ScopeRef): Promise<ScopeAnswer> => {
    requireNats(deps.nats);
    return show(scope, await scopes.get(scope));
  };
  const put = (caller: Caller, scope: ScopeRef, body: unknown): Promise<ScopeAnswer> => {
    const value = validScope(body);
    return change(caller, "config.put", scope, async () => {
      await scopes.put(scope, value);
      return value;
    });
  };
  const patch = (caller: Caller, scope: ScopeRef, body: Record<string, unknown>): Promise<ScopeAnswer> =>
    change(caller, "config.patch", scope, () =>
      scopes.update(scope, (current) => {
        const merged: Record<string, unknown> = { ...current };
        for (const [k, v] of Object.entries(body)) {
          if (v === null) delete merged[k];
          else merged[k] = v;
        }
        return validScope(merged);
      }),
    );
  const clear = (caller: Caller, scope: ScopeRef): Promise<ScopeAnswer> =>
    change(caller, "config.clear", scope, async () => {
      await scopes.remove(scope);
      return {};
    });

  const global: ScopeRef = { kind: "global" };
  serve(app, "getGlobalConfig", () => get(global));
  serve(app, "putGlobalConfig", ({ body }, ctx) => put(ctx.caller, global, body));
  serve(app, "patchGlobalConfig", ({ body }, ctx) => patch(ctx.caller, global, body));
  serve(app, "deleteGlobalConfig", (_input, ctx) => clear(ctx.caller, global));

  const group = (g: string): ScopeRef => ({ kind: "group", name: g });
  serve(app, "getGroupConfig", ({ params }) => get(group(params.g)));
  serve(app, "putGroupConfig", ({ params, body }, ctx) => put(ctx.caller, group(params.g), body));
  serve(app, "patchGroupConfig", ({ params, body }, ctx) => patch(ctx.caller, group(params.g), body));
  serve(app, "deleteGroupConfig", ({ params }, ctx) => clear(ctx.caller, group(params.g)));

  const pc = (p: string): ScopeRef => ({ kind: "pc", name: p });
  serve(app, "getAgentConfig", ({ params }) => get(pc(params.pc)));
  serve(app, "putAgentConfig", ({ params, body }, ctx) => put(ctx.caller, pc(params.pc), body));
  serve(app, "patchAgentConfig", ({ params, body }, ctx) => patch(ctx.caller, pc(params.pc), body));
  serve(app, "deleteAgentConfig", ({ params }, ctx) => clear(ctx.caller, pc(params.pc)));

  serve(app, "getEffectiveConfig", async ({ params }) => {
    requireNats(deps.nats);
    const groups = await deps.groups.get(params.pc);
    return { pc_id: params.pc, groups, ...(await scopes.effective(params.pc, groups)) };
  });
}
