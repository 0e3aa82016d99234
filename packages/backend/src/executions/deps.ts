/** What the executions module is built from; narrow, so tests and a second backend can supply their own. */
import type { Manifest, ScriptStatus } from "@kanade/protocol";
import type { Logger } from "pino";
import type { Audit } from "../audit/index.js";
import type { Sealer } from "../signing/seal.js";
import type { ExecBroker } from "./broker.js";
import type { ExecutionsStore } from "./store.js";
import type { ExecTarget } from "./types.js";

/** The job catalog as executions read it. */
export interface JobSource {
  get(id: string): Promise<Manifest | undefined>;
  status(id: string): Promise<ScriptStatus | undefined>;
  setCurrent(id: string, version: string): Promise<void>;
  scriptObjectSha256(key: string): Promise<string | undefined>;
}

/** Who may run ad-hoc scripts and whether they wait for approval (backend config `adhoc_*`). */
export interface AdhocPolicy {
  /** Operators may run ad-hoc scripts (admins always may, viewers never). Default true. */
  operators: boolean;
  /** Every ad-hoc run waits for a second operator's approval, like a `require_approval` job. Default false. */
  requireApproval: boolean;
}

export interface ExecutionsDeps {
  store: ExecutionsStore;
  broker: ExecBroker;
  jobs: JobSource;
  /** The PCs expected to answer: named PCs, members of named groups, or every known agent. */
  resolveTargets(target: ExecTarget): Promise<string[]>;
  audit: Pick<Audit, "build" | "committed">;
  /** Signs every command it plans (agents run nothing unsigned). */
  seal: Pick<Sealer, "command">;
  log: Logger;
  clock: () => Date;
  approvalTtlMs: number;
  /** Ad-hoc runs; absent: operators may, no approval. */
  adhoc?: AdhocPolicy;
  /** Usernames in a permission group, for jobs whose `approval.approver_group` names one; absent: nobody is. */
  approverGroupMembers?: (group: string) => string[];
  /** Why the fleet is frozen now (a fleet freeze), or undefined; without it nothing is ever frozen. */
  frozen?: () => Promise<string | undefined>;
}
