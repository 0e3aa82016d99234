/** What each KLP method does: a typed map from method to handler (SPEC §10). Params arrive already validated. */
import { KLP_ERRORS, KLP_PROTOCOL_VERSION, type KlpMethod, type KlpParams, type StateSnapshot } from "@kanade/protocol/klp";
import type { BackendGateway } from "./backend-gateway.js";
import { faults, KlpFault } from "./faults.js";
import type { RunRegistry } from "./runs.js";
import type { SupportUploads } from "./support.js";
import type { NoticeDesk } from "../notices/index.js";
import { MaintenanceRefusal, type Maintenance } from "../schedules/maintenance.js";

/** What KLP needs of the notices: list (recorded as shown), acknowledge, pushes. */
export type KlpNotices = Pick<NoticeDesk, "list" | "ack" | "shown" | "onChange">;

/** What the agent offers every session. */
export interface KlpServices {
  pcId: string;
  agentVersion: string;
  runs: RunRegistry;
  backend: BackendGateway;
  support: SupportUploads;
  /** Notices for the people at this PC; absent: the notifications.* methods answer NotFound. */
  notices?: KlpNotices;
  /** This PC's agent-side schedules; absent: the maintenance.* methods answer NotFound. */
  maintenance?: Pick<Maintenance, "list" | "defer">;
  /** The agent-wide part of `state.snapshot`; the session adds its client version. */
  state(): Omit<StateSnapshot, "client_version">;
  /** Told the version of each kanade-client that completes a handshake (other KLP callers are not the app). */
  onClientVersion?(version: string): void;
}

/** One connection, as handlers see it. `user` is what the OS said at connect, never the payload. */
export interface KlpSessionView {
  readonly user: string;
  clientVersion: string | undefined;
  /** While subscribed to state: the agent-wide state last sent (JSON), so only changes are pushed. */
  stateSeen: string | undefined;
  subscribedJobs: boolean;
  /** While true the session is pushed `notifications.new` and `notifications.withdrawn`. */
  subscribedNotices: boolean;
}

type Handler<M extends KlpMethod> = (s: KlpSessionView, params: KlpParams<M>, svc: KlpServices) => Promise<unknown> | unknown;
type HandlerMap = { [M in KlpMethod]: Handler<M> };

/** Runs one user may have queued or running at once; more are refused with RateLimit. */
export const MAX_ACTIVE_RUNS_PER_USER = 5;

/** The client_name the end-user app sends; its version is what operators see as the PC's client_version. */
export const KANADE_CLIENT_NAME = "kanade-client";

const noticesOf = (svc: KlpServices): KlpNotices => {
  if (!svc.notices) throw faults.notFound("notifications are not available on this agent");
  return svc.notices;
};

const maintenanceOf = (svc: KlpServices): Pick<Maintenance, "list" | "defer"> => {
  if (!svc.maintenance) throw faults.notFound("scheduled maintenance is not available on this agent");
  return svc.maintenance;
};

const snapshot = (s: KlpSessionView, svc: KlpServices): StateSnapshot => ({ ...svc.state(), client_version: s.clientVersion ?? "" });

export const KLP_HANDLERS: HandlerMap = {
  "system.handshake": (s, p, svc) => {
    if (p.protocol_version !== KLP_PROTOCOL_VERSION) {
      throw new KlpFault(KLP_ERRORS.STALE_PROTOCOL, `this agent speaks KLP ${KLP_PROTOCOL_VERSION}, not ${p.protocol_version}; update kanade-client`, true);
    }
    s.clientVersion = p.client_version;
    if (p.client_name === KANADE_CLIENT_NAME) svc.onClientVersion?.(p.client_version);
    return { protocol_version: KLP_PROTOCOL_VERSION, agent_version: svc.agentVersion, pc_id: svc.pcId, user: s.user };
  },
  "system.ping": () => ({ pong: true, at: new Date().toISOString() }),
  "system.version": (_s, _p, svc) => ({ agent_version: svc.agentVersion, protocol_version: KLP_PROTOCOL_VERSION }),
  "state.snapshot": (s, _p, svc) => snapshot(s, svc),
  "state.subscribe": (s, _p, svc) => {
    const state = svc.state();
    s.stateSeen = JSON.stringify(state);
    return { subscribed: true, snapshot: { ...state, client_version: s.clientVersion ?? "" } };
  },
  "state.unsubscribe": (s) => {
    s.stateSeen = undefined;
    return { subscribed: false };
  },
  "jobs.list": async (s, _p, svc) => ({ jobs: await svc.backend.catalog(s.user), runs: svc.runs.runsOf(s.user) }),
  "jobs.execute": async (s, p, svc) => {
    // 60 requests a minute is per connection; this bounds what one user can start across connections.
    const active = svc.runs.runsOf(s.user).filter((r) => r.state !== "finished").length;
    if (active >= MAX_ACTIVE_RUNS_PER_USER) {
      throw new KlpFault(KLP_ERRORS.RATE_LIMIT, `you already have ${active} runs waiting or running; wait for one to finish`);
    }
    const execId = await svc.backend.execute(s.user, p.job_id);
    svc.runs.claim(execId, p.job_id, s.user);
    return { exec_id: execId };
  },
  "jobs.subscribe": (s, _p, svc) => {
    s.subscribedJobs = true;
    return { subscribed: true, runs: svc.runs.runsOf(s.user) };
  },
  "jobs.unsubscribe": (s) => {
    s.subscribedJobs = false;
    return { subscribed: false };
  },
  "jobs.kill": async (s, p, svc) => {
    const owner = svc.runs.ownerOf(p.exec_id);
    if (owner === undefined) throw faults.notFound(`no run ${p.exec_id} started here`);
    if (owner !== s.user) throw faults.unauthorized("you may kill only runs you started");
    await svc.backend.kill(s.user, p.exec_id);
    return { exec_id: p.exec_id, killing: true };
  },
  "jobs.output": (s, p, svc) => {
    const out = svc.runs.outputOf(s.user, p.exec_id);
    // Another user's run answers like an unknown one: its existence is not theirs to learn.
    if (!out) throw faults.notFound(`no run ${p.exec_id} of yours here`);
    return out;
  },
  "support.upload_diagnostics": async (s, p, svc) => ({ bundle_id: await svc.support.upload(s.user, p.note, snapshot(s, svc)) }),
  "notifications.list": (s, _p, svc) => ({ notifications: noticesOf(svc).list(s.user) }),
  "notifications.subscribe": (s, _p, svc) => {
    const notifications = noticesOf(svc).list(s.user);
    s.subscribedNotices = true;
    return { subscribed: true, notifications };
  },
  "notifications.unsubscribe": (s) => {
    s.subscribedNotices = false;
    return { subscribed: false };
  },
  "notifications.ack": (s, p, svc) => {
    const r = noticesOf(svc).ack(s.user, p.id);
    if (!r) throw faults.notFound(`no notice "${p.id}" to acknowledge (unknown, expired or withdrawn)`);
    return r;
  },
  "maintenance.list": (_s, _p, svc) => ({ maintenance: maintenanceOf(svc).list() }),
  "maintenance.defer": (s, p, svc) => {
    try {
      // Any local user may defer (it is their PC); the uid recorded is the one the OS gave at connect.
      return maintenanceOf(svc).defer(s.user, p.schedule_id, p.by);
    } catch (err) {
      if (err instanceof MaintenanceRefusal) throw err.kind === "not_found" ? faults.notFound(err.message) : new KlpFault(KLP_ERRORS.DEFER_REFUSED, err.message);
      throw err;
    }
  },
};

/** Methods a client may call before the handshake. */
export const BEFORE_HANDSHAKE: ReadonlySet<string> = new Set(["system.handshake"]);
