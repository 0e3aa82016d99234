import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = (pkg: string): string => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      "@kanade/protocol/nkeys": fileURLToPath(new URL("./packages/protocol/src/nkeys.ts", import.meta.url)),
      "@kanade/protocol/klp-client": fileURLToPath(new URL("./packages/protocol/src/klp/client.ts", import.meta.url)),
      "@kanade/protocol/klp": fileURLToPath(new URL("./packages/protocol/src/klp/index.ts", import.meta.url)),
      "@kanade/protocol/wire": fileURLToPath(new URL("./packages/protocol/src/wire.ts", import.meta.url)),
      "@kanade/protocol": src("protocol"),
      "@kanade/testkit": src("testkit"),
      "@kanade/agent": src("agent"),
      "@kanade/backend": src("backend"),
      "@kanade/cli": src("cli"),
      "@kanade/client": src("client"),
    },
  },
  test: {
    include: ["packages/*/src/**/*.test.ts", "packages/*/test/**/*.test.ts", "scripts/**/*.test.ts"],
    // Agents that tests spawn keep off the host's /run/kanade/klp; KLP tests turn it on with their own dir.
    env: { KANADE_KLP: "off" },
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    fileParallelism: true,
    maxWorkers: 2,
  },
});
