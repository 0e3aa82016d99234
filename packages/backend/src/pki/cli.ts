/** `kanade-backend pki init --dir <dir> [--host name|ip]… [--days N] [--json]`: a CA and a server certificate for TLS. */
import { parseArgs } from "node:util";
import { KanadeError } from "@kanade/protocol";
import { pkiInit } from "./pki.js";

const USAGE = "usage: kanade-backend pki init --dir <dir> [--host <name|ip>]… [--days 825] [--json]\n";

export async function runPkiCommand(argv: readonly string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  if (argv[0] !== "init") {
    err(USAGE);
    return 2;
  }
  let values: { dir?: string; host?: string[]; days?: string; json?: boolean };
  try {
    ({ values } = parseArgs({ args: [...argv.slice(1)], options: { dir: { type: "string" }, host: { type: "string", multiple: true }, days: { type: "string" }, json: { type: "boolean" } }, strict: true }));
  } catch (e) {
    err(`kanade-backend pki init: ${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
    return 2;
  }
  const days = values.days === undefined ? undefined : Number(values.days);
  if (!values.dir || (days !== undefined && (!Number.isInteger(days) || days < 1))) {
    err(`kanade-backend pki init: ${values.dir ? "--days: expected a whole number of days" : "--dir is required"}\n${USAGE}`);
    return 2;
  }
  try {
    const r = await pkiInit({ dir: values.dir, ...(values.host ? { hosts: values.host } : {}), ...(days ? { days } : {}) });
    if (values.json) out(JSON.stringify(r) + "\n");
    else {
      out(
        `CA and server certificate written to ${r.dir}\n` +
          `  broker:   kanade-backend nats init --dir <nats dir> --tls ${r.dir}   (or add a tls {} block with ${r.files.cert} and ${r.files.key})\n` +
          `  backend:  KANADE_NATS_URL=tls://<host>:4222 KANADE_NATS_CA=${r.files.ca} KANADE_TLS_CERT=${r.files.cert} KANADE_TLS_KEY=${r.files.key}\n` +
          `  agents:   nats_url = "tls://<host>:4222", nats_ca = "<path of a copy of ${r.files.ca}>"\n` +
          `Keep ${r.files.caKey} offline once the certificates are made.\n`,
      );
    }
    return 0;
  } catch (e) {
    if (e instanceof KanadeError) {
      err(`kanade-backend pki init: ${e.message}\n`);
      return e.code === "CONFLICT" ? 1 : 2;
    }
    throw e;
  }
}
