/**
 * The agent's KLP server: listens where the platform says, gives each connection a session bound to the
 * OS identity of its listener, and pushes `state.changed`, `jobs.progress` and notices to the sessions that asked.
 */
import type { Logger } from "pino";
import { KLP_PUSH, type StateSnapshot } from "@kanade/protocol/klp";
import { klpEndpoints, type KlpEndpointOptions, type KlpEndpoints } from "../platform/index.js";
import type { KlpServices } from "./handlers.js";
import { KlpSession } from "./session.js";

/** How often the agent-wide state is compared for `state.changed`. */
const STATE_POLL_MS = 2_000;

export interface KlpSettings {
  /** Directory of the per-user sockets (POSIX) or the pipe name (Windows). */
  dir: string;
  /** Where logged-in users appear (`/run/user`): each uid there gets a socket. */
  usersDir: string;
  /** The named pipe the relay serves (Windows); `\\.\pipe\kanade-agent` unless set. */
  pipe?: string;
}

export interface KlpServer {
  /** The uids with a socket now (POSIX). */
  uids(): number[];
  stop(): Promise<void>;
}

/** `endpointsFor` is the platform's (klpEndpoints) unless a test runs the Windows relay path with a stand-in. */
export async function startKlpServer(
  settings: KlpSettings,
  svc: KlpServices,
  log: Logger,
  endpointsFor: (opts: KlpEndpointOptions) => KlpEndpoints | { unsupported: string } = klpEndpoints,
): Promise<KlpServer | undefined> {
  const sessions = new Set<KlpSession>();
  const where = process.platform === "win32" ? { pipe: settings.pipe } : { dir: settings.dir };
  const endpoints = endpointsFor({
    dir: settings.dir,
    usersDir: settings.usersDir,
    ...(settings.pipe !== undefined ? { pipe: settings.pipe } : {}),
    log,
    onConnection: (socket, user) => {
      const session = new KlpSession(socket, user, svc, log.child({ klp_user: user }));
      sessions.add(session);
      socket.on("close", () => sessions.delete(session));
    },
  });
  if ("unsupported" in endpoints) {
    log.warn({ reason: endpoints.unsupported }, "klp: the local protocol is off on this OS");
    return undefined;
  }
  const unprogress = svc.runs.onProgress((owner, run) => {
    for (const s of sessions) if (s.subscribedJobs && s.user === owner) s.push(KLP_PUSH.jobsProgress, run);
  });
  const unoutput = svc.runs.onOutput((owner, chunk) => {
    for (const s of sessions) if (s.subscribedJobs && s.user === owner) s.push(KLP_PUSH.jobsOutput, chunk);
  });
  const unnotice = svc.notices?.onChange((c) => {
    for (const s of sessions) {
      if (!s.subscribedNotices) continue;
      if (c.kind === "gone") s.push(KLP_PUSH.notificationsGone, { id: c.id, reason: c.reason });
      else {
        s.push(KLP_PUSH.notificationsNew, c.notice);
        svc.notices?.shown(s.user, [c.notice.id]);
      }
    }
  });
  const poll = setInterval(() => {
    const listening = [...sessions].filter((s) => s.stateSeen !== undefined);
    // Nobody listening: nothing to compute (the state reads a file).
    if (listening.length === 0) return;
    const now = svc.state();
    const text = JSON.stringify(now);
    for (const s of listening) {
      if (s.stateSeen === text) continue;
      s.stateSeen = text;
      s.push(KLP_PUSH.stateChanged, { ...now, client_version: s.clientVersion ?? "" } satisfies StateSnapshot);
    }
  }, STATE_POLL_MS);
  poll.unref();
  try {
    await endpoints.start();
  } catch (err) {
    // The agent's real work does not depend on KLP: run on without it, and say so.
    log.error({ err, ...where }, "klp: could not open the local protocol's sockets; it is off");
    clearInterval(poll);
    unprogress();
    unoutput();
    unnotice?.();
    await endpoints.stop().catch(() => undefined);
    return undefined;
  }
  // The Windows relay may still be starting (it logs `klp: named pipe ready` itself, or `relay unavailable`).
  if (endpoints.ready?.() !== false) log.info(where, "klp: local protocol ready");
  return {
    uids: () => endpoints.uids(),
    async stop() {
      clearInterval(poll);
      unprogress();
      unoutput();
      unnotice?.();
      await endpoints.stop();
      for (const s of sessions) s.close();
    },
  };
}
