/**
 * Exec ids as operators paste them: the whole UUID, or any unique prefix or suffix of 4+ hex digits — such as
 * the 8-digit tail the web UI and `kanade executions` show. Looked up with `GET /api/executions?id=`.
 */
import { ID_FRAGMENT_RE, UUID_RE } from "@kanade/protocol";
import type { Deps } from "./deps.js";
import { badInput, CliError } from "./errors.js";

/** The full exec_id for `text`; bad input when it is no id, EXECUTION_NOT_FOUND or ambiguous otherwise. */
export async function resolveExecId(deps: Pick<Deps, "client">, text: string, what = "<exec_id>"): Promise<string> {
  const t = text.trim();
  if (UUID_RE.test(t)) return t.toLowerCase();
  if (!ID_FRAGMENT_RE.test(t)) throw badInput(`${what}: expected an exec_id, or 4 or more hex digits of one (got "${text}")`);
  const { items } = await deps.client.call("listExecutions", { query: { id: t, limit: 10 } });
  if (items.length === 0) throw new CliError(`no execution id starts or ends with "${t}"`, { code: "EXECUTION_NOT_FOUND" });
  if (items.length > 1) {
    throw badInput(
      `${what}: "${t}" matches ${items.length === 10 ? "10 or more" : items.length} executions; give more digits`,
      items.map((e) => ({ path: e.exec_id, message: `${e.job_id} ${e.version}, ${e.state}, ${e.created_at}` })),
    );
  }
  return items[0]!.exec_id;
}
