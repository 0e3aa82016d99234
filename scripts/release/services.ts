/**
 * The three Windows services and where each role lives on disk. One table, read by the WinSW XML
 * generator, the release layout and (as literal paths) the deploy/undeploy scripts, whose tests check
 * they agree with it.
 */
export const SERVICE_ROLES = ["agent", "backend", "nats"] as const;
export type ServiceRole = (typeof SERVICE_ROLES)[number];

export interface ServiceSpec {
  role: ServiceRole;
  /** The SCM service name; also the name of the renamed WinSW exe and its XML. */
  id: string;
  displayName: string;
  description: string;
  /** The program WinSW starts, a file beside the wrapper in %ProgramFiles%\Kanade. */
  executable: string;
  /** Command-line arguments, each already safe to join with spaces. */
  arguments: readonly string[];
  env: Readonly<Record<string, string>>;
  /**
   * How long a stop may take before WinSW kills the process: the agent finishes or kills its running
   * scripts and flushes its outbox, the backend closes its consumers, NATS flushes JetStream.
   */
  stopTimeoutSecs: number;
}

/** Per-role folder under %ProgramData%\Kanade (data, logs); `-Purge` removes only this and the role's config. */
export const roleDataDir = (role: ServiceRole): string => `%ProgramData%\\Kanade\\${role}`;

export const SERVICES: Readonly<Record<ServiceRole, ServiceSpec>> = {
  agent: {
    role: "agent",
    id: "KanadeAgent",
    displayName: "Kanade Agent",
    description: "kanade endpoint agent: runs the jobs the fleet backend sends and reports inventory and results.",
    executable: "kanade-agent.exe",
    arguments: [],
    env: {
      KANADE_AGENT_CONFIG: "%ProgramData%\\Kanade\\agent.toml",
      KANADE_AGENT_DATA_DIR: roleDataDir("agent"),
      // After a self-update the agent asks WinSW for an immediate restart (see winsw-xml.ts).
      KANADE_SERVICE_RESTART: '"%BASE%\\KanadeAgent.exe" restart!',
    },
    stopTimeoutSecs: 60,
  },
  backend: {
    role: "backend",
    id: "KanadeBackend",
    displayName: "Kanade Backend",
    description: "kanade backend: HTTP API, web UI and the projectors that store results and inventory.",
    executable: "kanade-backend.exe",
    arguments: [],
    env: { KANADE_BACKEND_CONFIG: "%ProgramData%\\Kanade\\backend.toml" },
    stopTimeoutSecs: 30,
  },
  nats: {
    role: "nats",
    id: "KanadeNats",
    displayName: "Kanade NATS",
    description: "kanade message broker (nats-server with JetStream).",
    executable: "nats-server.exe",
    arguments: ["-c", '"%ProgramData%\\Kanade\\nats-server.conf"'],
    env: {},
    stopTimeoutSecs: 30,
  },
};
