/** `npm run lint` step: fails, naming the files, when any package has an import cycle. */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { fileGraph, findCycles, packageGraph } from "./import-cycles.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const packages = join(root, "packages");
const found: string[][] = [...findCycles(packageGraph(packages))];
for (const name of readdirSync(packages)) found.push(...findCycles(fileGraph(join(packages, name), root)));
if (found.length > 0) {
  console.error(`import cycles (${found.length}); break each one (move the shared piece into its own module):`);
  for (const c of found) console.error(`  ${c.join(" ⇄ ")}`);
  process.exit(1);
}
console.log("no import cycles");
