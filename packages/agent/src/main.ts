/**
 * `kanade-agent`'s entry. It imports only the boot path, which counts (or rolls back) a freshly updated
 * build before the program's own modules and config are loaded by `import()`; see self-update/boot.ts.
 */
import { bootAgent } from "./self-update/boot.js";

bootAgent(() => import("./program.js")).catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
