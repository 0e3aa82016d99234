/** `kanade-backend nats init --dir <dir> [--listen host:port] [--json]`: writes a locked-down broker's config and keys. */
import { parseArgs } from "node:util";
import { KanadeError } from "@kanade/protocol";
import { natsInit } from "./init.js";

const USAGE = "usage: kanade-backend nats init --dir <dir> [--listen 127.0.0.1:4222] [--tls <pki dir>] [--json]\n";

export function runNatsCommand(argv: readonly string[], out: (s: string) => void, err: (s: string) => void): number {
  if (argv[0] !== "init") {
    err(USAGE);
    return 2;
  }
  let values: { dir?: string; listen?: string; tls?: string; json?: boolean };
  try {
    ({ values } = parseArgs({ args: [...argv.slice(1)], options: { dir: { type: "string" }, listen: { type: "string" }, tls: { type: "string" }, json: { type: "boolean" } }, strict: true }));
  } catch (e) {
    err(`kanade-backend nats init: ${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
    return 2;
  }
  if (!values.dir) {
    err(`kanade-backend nats init: --dir is required\n${USAGE}`);
    return 2;
  }
  if (values.listen !== undefined && !/^[^\s:]+:\d{1,5}$/.test(values.listen)) {
    err(`kanade-backend nats init: --listen: expected host:port, got "${values.listen}"\n`);
    return 2;
  }
  try {
    const r = natsInit({ dir: values.dir, ...(values.listen ? { listen: values.listen } : {}), ...(values.tls ? { tlsDir: values.tls } : {}) });
    if (values.json) out(JSON.stringify(r) + "\n");
    else {
      out(
        `Broker keys and config written to ${r.dir}\n` +
          `  start the broker:   nats-server -c ${r.conf}\n` +
          `  start the backend:  KANADE_NATS_AUTH_DIR=${r.dir} kanade-backend\n` +
          `  break-glass admin:  nats --creds ${r.dir}/admin.creds …  (full rights in the kanade account; keep it offline)\n` +
          "Keep this directory private to the backend: it holds the keys that mint every agent's credential.\n",
      );
    }
    return 0;
  } catch (e) {
    if (e instanceof KanadeError) {
      err(`kanade-backend nats init: ${e.message}\n`);
      return e.code === "CONFLICT" ? 1 : 2;
    }
    throw e;
  }
}
