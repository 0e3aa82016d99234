/** Thin typed client for the kanade-backend HTTP API (SPEC §7) over global fetch. */
import type {
  AgentSummary,
  ExecRequest,
  ExecResponse,
  ExecutionDetail,
  ExecutionSummary,
  GroupSummary,
  JobDetail,
  JobSummary,
  ListResponse,
  ResultRecord,
} from "@kanade/protocol";
import { z } from "zod";
import { CliError } from "./errors.js";

export const DEFAULT_BACKEND_URL = "http://127.0.0.1:8080";

export interface ClientConfig {
  baseUrl: string;
  token: string | undefined;
}

/** Reads `KANADE_BACKEND_URL` and `KANADE_AUTH_TOKEN`; empty values count as unset. */
export function clientConfigFromEnv(env: NodeJS.ProcessEnv): ClientConfig {
  const url = env.KANADE_BACKEND_URL?.trim() || DEFAULT_BACKEND_URL;
  return { baseUrl: url.replace(/\/+$/, ""), token: env.KANADE_AUTH_TOKEN?.trim() || undefined };
}

const apiErrorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.object({ path: z.string().default(""), message: z.string() })).optional(),
  }),
});

type Query = Record<string, string | number | boolean | undefined>;

interface RequestOptions {
  query?: Query;
  json?: unknown;
  /** Raw text body with its own content type (e.g. YAML manifests). */
  text?: { body: string; contentType: string };
  /** `text` returns the body unparsed (e.g. `/api/jobs/:id/yaml`). */
  as?: "json" | "text";
}

export interface JobResultsQuery {
  exec_id?: string;
  pc_id?: string;
  job_id?: string;
  status?: string;
  limit?: number;
}

export class ApiClient {
  constructor(readonly config: ClientConfig) {}

  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const url = new URL(this.config.baseUrl + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = { accept: opts.as === "text" ? "*/*" : "application/json" };
    if (this.config.token) headers.authorization = `Bearer ${this.config.token}`;
    let body: string | undefined;
    if (opts.text) {
      headers["content-type"] = opts.text.contentType;
      body = opts.text.body;
    } else if (opts.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(opts.json);
    }
    let res: Response;
    try {
      res = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}) });
    } catch (err) {
      throw new CliError(`cannot reach kanade-backend at ${this.config.baseUrl}: ${networkCause(err)}`, {
        code: "NETWORK",
        cause: err,
      });
    }
    const text = await res.text();
    if (!res.ok) throw this.apiError(res, text, `${method} ${path}`);
    if (opts.as === "text") return text as T;
    if (text === "") return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch (err) {
      throw new CliError(`${method} ${path}: the backend answered with something that is not JSON`, { cause: err });
    }
  }

  /** Turns a non-2xx answer into a CliError with the API code (also used by streamed uploads). */
  apiError(res: Response, text: string, what: string): CliError {
    let parsed: z.infer<typeof apiErrorBodySchema> | undefined;
    try {
      const r = apiErrorBodySchema.safeParse(JSON.parse(text));
      if (r.success) parsed = r.data;
    } catch {
      parsed = undefined; // not JSON (a proxy page, say): fall back to the HTTP status line below
    }
    const code = parsed?.error.code ?? `HTTP_${res.status}`;
    const details = parsed?.error.details ?? [];
    let message = parsed?.error.message ?? `${what}: HTTP ${res.status} ${res.statusText}`.trim();
    // Some messages repeat the details after a newline; print them once, as detail lines.
    if (details.length > 0 && message.includes("\n")) message = message.split("\n", 1)[0]!.replace(/:\s*$/, "");
    if (res.status === 401) {
      message = this.config.token
        ? `${message} — the backend refused KANADE_AUTH_TOKEN; set it to a valid token`
        : `${message} — the backend needs a token: set KANADE_AUTH_TOKEN`;
    }
    return new CliError(message, { code, status: res.status, details });
  }

  // --- jobs -------------------------------------------------------------------------------------
  createJob = (yaml: string): Promise<Partial<JobSummary>> =>
    this.request("POST", "/api/jobs", { text: { body: yaml, contentType: "application/yaml" } });
  listJobs = (): Promise<ListResponse<JobSummary>> => this.request("GET", "/api/jobs", { query: { limit: 1000 } });
  getJob = (id: string): Promise<JobDetail> => this.request("GET", `/api/jobs/${enc(id)}`);
  exportJob = (id: string): Promise<string> => this.request("GET", `/api/jobs/${enc(id)}/yaml`, { as: "text" });
  deleteJob = (id: string): Promise<unknown> => this.request("DELETE", `/api/jobs/${enc(id)}`);
  revoke = (id: string): Promise<unknown> => this.request("POST", `/api/scripts/${enc(id)}/revoke`);
  unrevoke = (id: string): Promise<unknown> => this.request("POST", `/api/scripts/${enc(id)}/unrevoke`);

  // --- executions -------------------------------------------------------------------------------
  exec = (jobId: string, req: ExecRequest): Promise<ExecResponse> =>
    this.request("POST", `/api/exec/${enc(jobId)}`, { json: req });
  listExecutions = (limit?: number): Promise<ListResponse<ExecutionSummary>> =>
    this.request("GET", "/api/executions", { query: { limit } });
  getExecution = (execId: string): Promise<ExecutionDetail> => this.request("GET", `/api/executions/${enc(execId)}`);
  kill = (execId: string): Promise<unknown> => this.request("POST", `/api/executions/${enc(execId)}/kill`);
  listResults = (q: JobResultsQuery): Promise<ListResponse<ResultRecord>> =>
    this.request("GET", "/api/results", { query: { ...q } });
  /** One result; `full` swaps the inline heads for the whole text kept in result_output. */
  getResult = (resultId: string, full = false): Promise<ResultRecord> =>
    this.request("GET", `/api/results/${enc(resultId)}`, { query: full ? { full: 1 } : {} });

  // --- agents and groups ------------------------------------------------------------------------
  listAgents = (online?: boolean): Promise<ListResponse<AgentSummary>> =>
    this.request("GET", "/api/agents", { query: { limit: 1000, ...(online ? { online: true } : {}) } });
  getAgent = (pc: string): Promise<Record<string, unknown>> => this.request("GET", `/api/agents/${enc(pc)}`);
  listGroups = (): Promise<ListResponse<GroupSummary>> => this.request("GET", "/api/groups");
  addGroups = (pc: string, groups: string[]): Promise<{ groups?: string[] }> =>
    this.request("POST", `/api/agents/${enc(pc)}/groups`, { json: { groups } });
  setGroups = (pc: string, groups: string[]): Promise<{ groups?: string[] }> =>
    this.request("PUT", `/api/agents/${enc(pc)}/groups`, { json: { groups } });
  removeGroup = (pc: string, group: string): Promise<{ groups?: string[] }> =>
    this.request("DELETE", `/api/agents/${enc(pc)}/groups/${enc(group)}`);
}

const enc = encodeURIComponent;

/** fetch reports "fetch failed"; the useful part (ECONNREFUSED 127.0.0.1:1) is in `cause`. */
function networkCause(err: unknown): string {
  let e: unknown = err;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  if (e instanceof AggregateError && e.errors[0] instanceof Error) e = e.errors[0];
  return e instanceof Error ? e.message : String(e);
}
