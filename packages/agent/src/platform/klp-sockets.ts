/**
 * Linux/POSIX KLP endpoints: one listening socket per local user, `<dir>/<uid>.sock`, owned by that uid
 * with mode 0600, in a directory only the agent can write (0711). The kernel checks write permission on the
 * socket inode at connect(), so whoever reaches `<uid>.sock` is that uid (or root): the identity is the
 * listener a connection arrived on, with no syscall and nothing taken from the payload or from a pid.
 *
 * Each socket is bound in a private staging directory, restricted, chowned and only then renamed into
 * place, so no one else can connect in between. Running as root, the agent serves every uid that has a
 * directory in `usersDir` (logind's `/run/user/<uid>` appears at login); otherwise only its own uid.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, chownSync, closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, watch, writeSync, type FSWatcher } from "node:fs";
import { createServer, type Server } from "node:net";
import type { Duplex } from "node:stream";
import { join } from "node:path";
import type { Logger } from "pino";

const RESCAN_MS = 30_000;
/** Connections one user may hold open at once. */
export const MAX_CONNECTIONS_PER_USER = 16;

export interface KlpEndpointOptions {
  dir: string;
  usersDir: string;
  /** The named pipe (Windows), `\\.\pipe\kanade-agent` unless set. */
  pipe?: string;
  log: Logger;
  /** A connection whose peer the OS identified as `user` (`uid:<n>` or `sid:S-1-…`). */
  onConnection(socket: Duplex, user: string): void;
}

export interface KlpEndpoints {
  start(): Promise<void>;
  /** The uids served now. */
  uids(): number[];
  /** False while connections cannot arrive yet (the Windows relay is not up); absent: always ready after start. */
  ready?(): boolean;
  stop(): Promise<void>;
}

export function uidSockets(opts: KlpEndpointOptions): KlpEndpoints {
  const { dir, usersDir, log } = opts;
  const staging = join(dir, ".staging");
  const servers = new Map<number, Server>();
  const self = process.getuid?.() ?? 0;
  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let owned = false;

  const wanted = (): Map<number, number> => {
    const out = new Map<number, number>([[self, process.getgid?.() ?? 0]]);
    if (self !== 0) return out;
    let names: string[] = [];
    try {
      names = readdirSync(usersDir);
    } catch {
      return out; // no session directory (a server without logind): only root's own socket
    }
    for (const name of names) {
      if (!/^\d{1,10}$/.test(name)) continue;
      try {
        const st = statSync(join(usersDir, name));
        // A user's runtime directory is owned by that user; anything else there is not a login.
        if (st.isDirectory() && st.uid === Number(name)) out.set(st.uid, st.gid);
      } catch {
        /* gone since readdir */
      }
    }
    return out;
  };

  const add = async (uid: number, gid: number): Promise<void> => {
    const server = createServer((socket) => {
      server.getConnections((err, n) => {
        if (err || n > MAX_CONNECTIONS_PER_USER) {
          log.warn({ uid, connections: n }, "klp: too many connections from one user; refused");
          socket.destroy();
          return;
        }
        opts.onConnection(socket, `uid:${uid}`);
      });
    });
    const tmp = join(staging, `${uid}-${randomBytes(6).toString("hex")}.sock`);
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(tmp, () => {
        server.off("error", reject);
        resolve();
      });
    });
    try {
      chmodSync(tmp, 0o600);
      if (uid !== self) chownSync(tmp, uid, gid);
      renameSync(tmp, join(dir, `${uid}.sock`));
    } catch (err) {
      server.close();
      throw err;
    }
    server.on("error", (err) => log.warn({ err, uid }, "klp listener error"));
    servers.set(uid, server);
    log.info({ uid, path: join(dir, `${uid}.sock`) }, "klp: listening for this user");
  };

  const remove = (uid: number): void => {
    const server = servers.get(uid);
    servers.delete(uid);
    server?.close();
    rmSync(join(dir, `${uid}.sock`), { force: true });
    log.info({ uid }, "klp: socket removed");
  };

  let scanning: Promise<void> = Promise.resolve();
  const scan = (): Promise<void> =>
    (scanning = scanning.then(async () => {
      if (stopped) return;
      const want = wanted();
      for (const uid of [...servers.keys()]) if (!want.has(uid)) remove(uid);
      for (const [uid, gid] of want) {
        if (servers.has(uid)) continue;
        await add(uid, gid).catch((err: unknown) => log.error({ err, uid }, "klp: could not open this user's socket"));
      }
    }));

  return {
    async start() {
      mkdirSync(dir, { recursive: true, mode: 0o711 });
      claimDir(dir);
      owned = true;
      chmodSync(dir, 0o711);
      rmSync(staging, { recursive: true, force: true });
      mkdirSync(staging, { mode: 0o700 });
      // Sockets left by a previous process answer nobody; new ones replace them.
      for (const name of readdirSync(dir)) if (name.endsWith(".sock")) unlinkSync(join(dir, name));
      await scan();
      if (self === 0) {
        try {
          watcher = watch(usersDir, () => void scan());
          watcher.on("error", (err) => log.warn({ err }, "klp: cannot watch the users directory; rescanning on a timer"));
        } catch (err) {
          log.info({ err, users_dir: usersDir }, "klp: users directory not watchable; rescanning on a timer");
        }
        timer = setInterval(() => void scan(), RESCAN_MS);
        timer.unref();
      }
    },
    uids: () => [...servers.keys()].sort((a, b) => a - b),
    async stop() {
      stopped = true;
      watcher?.close();
      clearInterval(timer);
      await scanning;
      for (const uid of [...servers.keys()]) remove(uid);
      if (!owned) return;
      rmSync(staging, { recursive: true, force: true });
      rmSync(join(dir, LOCK), { force: true });
    },
  };
}

const LOCK = "agent.pid";

/**
 * One agent per directory: a second one (a dev fleet, tests on one host) would replace the first one's
 * sockets. The lock names the owner's pid; one left by a process that is gone is taken over.
 */
function claimDir(dir: string): void {
  const path = join(dir, LOCK);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, "wx", 0o644);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const owner = Number(readFileSync(path, "utf8").trim());
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
      throw new Error(`${dir} is in use by another agent (pid ${owner}); set klp_dir (KANADE_KLP_DIR) to another directory`);
    }
    rmSync(path, { force: true });
  }
  throw new Error(`could not lock ${dir}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
