/**
 * `publish|list|delete` of one object-store noun: `kanade app …` (`app_packages`) and `kanade script …`
 * (`scripts`) differ only in their routes and wording, so commands/app and commands/script both use this.
 */
import type { Command } from "commander";
import { OBJECT_SEGMENT_RE } from "@kanade/protocol";
import { withJson, wantsJson, type Deps } from "./deps.js";
import { badInput } from "./errors.js";
import { printJson, renderTable } from "./output.js";
import { uploadFile } from "./upload.js";

export interface ObjectNoun {
  name: "app" | "script";
  what: string;
  upload: "uploadAppPackage" | "uploadScriptObject";
  list: "listAppPackages" | "listScriptObjects";
  remove: "deleteAppPackage" | "deleteScriptObject";
}

function checkKey(name: string, version: string): void {
  for (const [label, v] of [["name", name], ["version", version]] as const) {
    if (!OBJECT_SEGMENT_RE.test(v)) throw badInput(`${label} "${v}" must be letters, digits, . _ + - (1-128 characters)`);
  }
}

/** Both digest forms: NATS's and the lowercase hex `Get-FileHash` / `sha256sum` print. */
export function digestLines(o: { digest: string; sha256: string }): string {
  return `digest  ${o.digest}\nsha256  ${o.sha256}\n`;
}

export function registerObjectNoun(program: Command, deps: Deps, noun: ObjectNoun): void {
  const cmd = program.command(noun.name).description(`publish, list and delete ${noun.what}s`);

  withJson(cmd.command("publish"))
    .description(`upload a file as ${noun.what} <name>/<version> (streamed; progress on a TTY)`)
    .argument("<name>")
    .argument("<version>")
    .argument("<file>")
    .option("--force", "replace an existing object with the same name and version")
    .action(async (name: string, version: string, file: string, opts: { force?: boolean }, c: Command) => {
      checkKey(name, version);
      const query = opts.force ? { force: true } : {};
      const stored = await uploadFile(deps.io, file, (body) => deps.client.call(noun.upload, { params: { name, version }, query, body }));
      if (wantsJson(c)) return printJson(deps.io, stored);
      deps.io.out(`published ${noun.name} ${stored.key} (${stored.size} bytes)\n${digestLines(stored)}`);
    });

  withJson(cmd.command("list"))
    .description(`list ${noun.what}s, newest first`)
    .action(async (_opts: unknown, c: Command) => {
      const { items } = await deps.client.call(noun.list);
      if (wantsJson(c)) return printJson(deps.io, items);
      deps.io.out(renderTable(["NAME", "VERSION", "SIZE", "SHA256", "PUBLISHED"], items.map((o) => [o.name, o.version, o.size, o.sha256, o.mtime])));
    });

  withJson(cmd.command("delete"))
    .description(`delete ${noun.what} <name>/<version>`)
    .argument("<name>")
    .argument("<version>")
    .action(async (name: string, version: string, _opts: unknown, c: Command) => {
      checkKey(name, version);
      const res = await deps.client.call(noun.remove, { params: { name, version } });
      if (wantsJson(c)) return printJson(deps.io, res);
      deps.io.out(`deleted ${noun.name} ${res.key}\n`);
    });
}
