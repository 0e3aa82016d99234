/** `kanade-backend`: read config, start, and shut down cleanly on SIGINT/SIGTERM. */
import { pino } from "pino";
import { KanadeError } from "@kanade/protocol";
import { loadBackendConfig } from "./config.js";
import { startBackend, type RunningBackend } from "./start.js";
import { BACKEND_VERSION } from "./version.js";

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes("--version") || argv.includes("-V")) {
    process.stdout.write(`${BACKEND_VERSION} (node ${process.version})\n`);
    return 0;
  }
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(
      "kanade-backend — API, projectors and web UI in one process.\n" +
        "Configured by env (KANADE_BIND_ADDR, KANADE_NATS_URL, KANADE_NATS_TOKEN, DATABASE_URL,\n" +
        "KANADE_AUTH_STATIC_TOKEN, KANADE_AUTH_DISABLE, KANADE_LOG, KANADE_WEB_ROOT, KANADE_AUTH_JWT_SECRET,\n" +
        "KANADE_SESSION_TTL, KANADE_BOOTSTRAP_ADMIN_USER, KANADE_BOOTSTRAP_ADMIN_PASSWORD, KANADE_APPROVAL_TTL) and optionally\n" +
        "a TOML file named by KANADE_BACKEND_CONFIG.\n" +
        "  --rebuild  replay RESULTS, EVENTS and AUDIT into the database at startup\n",
    );
    return 0;
  }
  let config;
  try {
    config = loadBackendConfig(process.env);
  } catch (err) {
    if (err instanceof KanadeError && err.code === "INVALID_CONFIG") {
      process.stderr.write(`kanade-backend: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (argv.includes("--rebuild")) config.rebuild = true;
  const log = pino({ name: "kanade-backend", level: config.logLevel });
  let stopRequested: (signal: string) => void = () => undefined;
  const stopped = new Promise<string>((resolve) => (stopRequested = resolve));
  const state: { backend?: RunningBackend } = {};
  const onSignal = (signal: string): void => {
    // Still waiting for the broker: nothing is running yet that needs an orderly close.
    if (!state.backend) {
      log.info({ signal }, "stopped before startup finished");
      process.exit(0);
    }
    stopRequested(signal);
  };
  process.once("SIGINT", () => onSignal("SIGINT"));
  process.once("SIGTERM", () => onSignal("SIGTERM"));
  const backend = await startBackend(config, { log });
  state.backend = backend;
  const signal = await stopped;
  log.info({ signal }, "shutting down");
  await backend.close();
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`kanade-backend: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
