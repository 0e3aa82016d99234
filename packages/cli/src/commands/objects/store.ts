/**
 * `kanade app publish|list|delete` and `kanade script publish|list|delete`: the `app_packages` and
 * `scripts` object stores. One file, since the two nouns differ only in their route and wording.
 */
import type { Command } from "commander";
import { OBJECT_SEGMENT_RE, type ListResponse, type StoredObject } from "@kanade/protocol";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { badInput } from "../../errors.js";
import { printJson, renderTable } from "../../output.js";
import { uploadFile } from "../../upload.js";

interface Noun {
  name: "app" | "script";
  route: "/api/app-packages" | "/api/script-objects";
  what: string;
}

const NOUNS: readonly Noun[] = [
  { name: "app", route: "/api/app-packages", what: "application package" },
  { name: "script", route: "/api/script-objects", what: "script object" },
];

function checkKey(name: string, version: string): void {
  for (const [label, v] of [["name", name], ["version", version]] as const) {
    if (!OBJECT_SEGMENT_RE.test(v)) throw badInput(`${label} "${v}" must be letters, digits, . _ + - (1-128 characters)`);
  }
}

const enc = encodeURIComponent;

/** Both digest forms: NATS's and the lowercase hex `Get-FileHash` / `sha256sum` print. */
export function digestLines(o: { digest: string; sha256: string }): string {
  return `digest  ${o.digest}\nsha256  ${o.sha256}\n`;
}

function registerNoun(program: Command, deps: Deps, noun: Noun): void {
  const cmd = program.command(noun.name).description(`publish, list and delete ${noun.what}s`);

  withJson(cmd.command("publish"))
    .description(`upload a file as ${noun.what} <name>/<version> (streamed; progress on a TTY)`)
    .argument("<name>")
    .argument("<version>")
    .argument("<file>")
    .option("--force", "replace an existing object with the same name and version")
    .action(async (name: string, version: string, file: string, opts: { force?: boolean }, c: Command) => {
      checkKey(name, version);
      const stored = await uploadFile<StoredObject>(deps.client, deps.io, `${noun.route}/${enc(name)}/${enc(version)}`, file, opts.force ? { force: "true" } : {});
      if (wantsJson(c)) return printJson(deps.io, stored);
      deps.io.out(`published ${noun.name} ${stored.key} (${stored.size} bytes)\n${digestLines(stored)}`);
    });

  withJson(cmd.command("list"))
    .description(`list ${noun.what}s, newest first`)
    .action(async (_opts: unknown, c: Command) => {
      const { items } = await deps.client.request<ListResponse<StoredObject>>("GET", noun.route);
      if (wantsJson(c)) return printJson(deps.io, items);
      deps.io.out(renderTable(["NAME", "VERSION", "SIZE", "SHA256", "PUBLISHED"], items.map((o) => [o.name, o.version, o.size, o.sha256, o.mtime])));
    });

  withJson(cmd.command("delete"))
    .description(`delete ${noun.what} <name>/<version>`)
    .argument("<name>")
    .argument("<version>")
    .action(async (name: string, version: string, _opts: unknown, c: Command) => {
      checkKey(name, version);
      const res = await deps.client.request<{ key: string; deleted: boolean }>("DELETE", `${noun.route}/${enc(name)}/${enc(version)}`);
      if (wantsJson(c)) return printJson(deps.io, res);
      deps.io.out(`deleted ${noun.name} ${res.key}\n`);
    });
}

export function register(program: Command, deps: Deps): void {
  for (const noun of NOUNS) registerNoun(program, deps, noun);
}
