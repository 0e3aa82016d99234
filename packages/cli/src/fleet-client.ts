/** API calls for fleet knowledge (ping, logs, inventory), kept beside ApiClient over its one request(). */
import type {
  AgentLogsResponse,
  InstalledAppRow,
  InventoryRecord,
  JobFactChange,
  JobFactsTable,
  ListResponse,
  PingReply,
} from "@kanade/protocol";
import type { ApiClient } from "./client.js";

const enc = encodeURIComponent;

export const pingAgent = (c: ApiClient, pc: string): Promise<PingReply> => c.request("POST", `/api/agents/${enc(pc)}/ping`);

export const agentLogs = (c: ApiClient, pc: string, tail: number): Promise<AgentLogsResponse> =>
  c.request("GET", `/api/agents/${enc(pc)}/logs`, { query: { tail } });

export const pcInventory = (c: ApiClient, pc: string): Promise<InventoryRecord> => c.request("GET", `/api/inventory/${enc(pc)}`);

export const findApp = (c: ApiClient, app: string): Promise<ListResponse<InstalledAppRow>> =>
  c.request("GET", "/api/inventory", { query: { app } });

export const jobFacts = (c: ApiClient, job: string, pc?: string): Promise<JobFactsTable> =>
  c.request("GET", `/api/inventory/jobs/${enc(job)}`, { query: { pc } });

export const jobFactHistory = (c: ApiClient, job: string, pc?: string): Promise<ListResponse<JobFactChange>> =>
  c.request("GET", `/api/inventory/jobs/${enc(job)}`, { query: { pc, history: true } });
