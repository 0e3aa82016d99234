/** Entry point of the `kanade` binary: wire real dependencies, run, exit with the mapped code. */
import { setTimeout as sleep } from "node:timers/promises";
import { clientConfigFromEnv, createCliApi } from "./api.js";
import { processIo } from "./output.js";
import { runKanade } from "./program.js";
import { withStoredToken } from "./token-store.js";

const code = await runKanade(process.argv.slice(2), {
  client: createCliApi(withStoredToken(clientConfigFromEnv(process.env), process.env)),
  io: processIo(process.env),
  sleep: (ms) => sleep(ms),
  now: () => Date.now(),
});
// exitCode rather than exit(): lets stdout drain when it is a pipe.
process.exitCode = code;
