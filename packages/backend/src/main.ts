/** `kanade-backend`: read config, start, and shut down cleanly on SIGINT/SIGTERM. */
import { pino } from "pino";
import { KanadeError } from "@kanade/protocol";
import { loadBackendConfig } from "./config.js";
import { registrySecrets } from "./registry-secrets.js";
import { runDbCommand } from "./db/copy-cli.js";
import { runNatsCommand } from "./nats-auth/cli.js";
import { runPkiCommand } from "./pki/cli.js";
import { jetStreamBusy } from "./bootstrap.js";
import { startBackend, type RunningBackend } from "./start.js";
import { startWithRetry } from "./start-retry.js";
import { BACKEND_VERSION } from "./version.js";

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes("--version") || argv.includes("-V")) {
    process.stdout.write(`${BACKEND_VERSION} (node ${process.version})\n`);
    return 0;
  }
  if (argv[0] === "pki") {
    return runPkiCommand(argv.slice(1), (s) => process.stdout.write(s), (s) => process.stderr.write(s));
  }
  if (argv[0] === "nats") {
    return runNatsCommand(argv.slice(1), (s) => process.stdout.write(s), (s) => process.stderr.write(s));
  }
  if (argv[0] === "db") {
    return runDbCommand(argv.slice(1), (s) => process.stdout.write(s), (s) => process.stderr.write(s));
  }
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(
      "kanade-backend — API, projectors and web UI in one process.\n" +
        "Configured by env (KANADE_BIND_ADDR, KANADE_NATS_URL (several nodes: comma-separated), KANADE_NATS_REPLICAS,\n" +
        "KANADE_NATS_TOKEN, KANADE_NATS_AUTH_DIR, DATABASE_URL,\n" +
        "KANADE_AUTH_STATIC_TOKEN, KANADE_AUTH_DISABLE, KANADE_LOG, KANADE_WEB_ROOT, KANADE_AUTH_JWT_SECRET,\n" +
        "KANADE_SESSION_TTL, KANADE_BOOTSTRAP_ADMIN_USER, KANADE_BOOTSTRAP_ADMIN_PASSWORD, KANADE_APPROVAL_TTL) and optionally\n" +
        "a TOML file named by KANADE_BACKEND_CONFIG.\n" +
        "  --rebuild  replay RESULTS, EVENTS and AUDIT into the database at startup\n" +
        "kanade-backend nats init --dir <dir> [--listen host:port]\n" +
        "  write a locked-down broker's config and keys; run the backend with KANADE_NATS_AUTH_DIR=<dir>\n" +
        "kanade-backend pki init --dir <dir> [--host name|ip]…\n" +
        "  make a CA and a server certificate for tls:// and HTTPS\n" +
        "kanade-backend db copy --from sqlite://<file> --to postgres://… [--json]\n" +
        "  copy every row of a stopped backend's SQLite database into an empty PostgreSQL database\n",
    );
    return 0;
  }
  let config;
  try {
    // On Windows, secrets deploy/backend.ps1 keeps in the registry fill what the environment leaves unset.
    const env = process.platform === "win32" ? { ...process.env, ...registrySecrets(process.env) } : process.env;
    config = loadBackendConfig(env);
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
  let backend: RunningBackend;
  try {
    backend = await startWithRetry(() => startBackend(config, { log }), { retryable: jetStreamBusy, log });
  } catch (err) {
    // A setting the broker refuses (KANADE_NATS_REPLICAS above its node count) is the operator's to fix, like a bad value.
    if (err instanceof KanadeError && err.code === "INVALID_CONFIG") {
      process.stderr.write(`kanade-backend: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
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
