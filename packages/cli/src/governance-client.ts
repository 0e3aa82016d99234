/** API calls for accounts, login, approvals, audit and JetStream (status, raw KV, object listings), on top of the shared ApiClient. */
import type {
  AccountCreate,
  AccountPatch,
  AccountSummary,
  ApprovalResponse,
  AuditRecord,
  Identity,
  JetStreamStatus,
  KvDeleteResponse,
  KvEntryView,
  KvPutResponse,
  ListResponse,
  LoginResponse,
  LogoutResponse,
  StoredObject,
} from "@kanade/protocol";
import type { ApiClient } from "./client.js";

const enc = encodeURIComponent;

export interface AuditQuery {
  actor?: string;
  action?: string;
  target?: string;
  since?: string;
  until?: string;
  limit?: number;
  cursor?: string;
}

export const governanceApi = (c: ApiClient) => ({
  login: (username: string, password: string): Promise<LoginResponse> => c.request("POST", "/api/auth/login", { json: { username, password } }),
  me: (): Promise<Identity> => c.request("GET", "/api/auth/me"),
  /** Ends the session of the token this client sends; 400 for a token that is not a session (the static one). */
  logout: (): Promise<LogoutResponse> => c.request("POST", "/api/auth/logout"),
  changePassword: (current_password: string, new_password: string): Promise<LoginResponse> =>
    c.request("POST", "/api/auth/password", { json: { current_password, new_password } }),
  listAccounts: (): Promise<ListResponse<AccountSummary>> => c.request("GET", "/api/accounts"),
  createAccount: (a: AccountCreate): Promise<AccountSummary> => c.request("POST", "/api/accounts", { json: a }),
  patchAccount: (username: string, p: AccountPatch): Promise<AccountSummary> => c.request("PATCH", `/api/accounts/${enc(username)}`, { json: p }),
  deleteAccount: (username: string): Promise<unknown> => c.request("DELETE", `/api/accounts/${enc(username)}`),
  decide: (execId: string, verb: "approve" | "reject", digest?: string): Promise<ApprovalResponse> =>
    c.request("POST", `/api/executions/${enc(execId)}/${verb}`, { json: digest ? { manifest_digest: digest } : {} }),
  audit: (q: AuditQuery): Promise<ListResponse<AuditRecord>> => c.request("GET", "/api/audit", { query: { ...q } }),
  jetstreamStatus: (): Promise<JetStreamStatus> => c.request("GET", "/api/jetstream/status"),
  kvGet: (bucket: string, key: string): Promise<KvEntryView> => c.request("GET", `/api/jetstream/kv/${enc(bucket)}/${enc(key)}`),
  kvPut: (bucket: string, key: string, value: string): Promise<KvPutResponse> =>
    c.request("PUT", `/api/jetstream/kv/${enc(bucket)}/${enc(key)}`, { json: { value } }),
  kvDelete: (bucket: string, key: string): Promise<KvDeleteResponse> => c.request("DELETE", `/api/jetstream/kv/${enc(bucket)}/${enc(key)}`),
  objectList: (store: string): Promise<ListResponse<StoredObject>> => c.request("GET", `/api/jetstream/objects/${enc(store)}`),
});
