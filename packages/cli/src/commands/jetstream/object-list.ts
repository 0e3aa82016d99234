/** `kanade jetstream object list <store>`: every live object in one of kanade's object stores, newest first. */
import type { Command } from "commander";
import { OBJECT_STORES } from "@kanade/protocol";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { badInput } from "../../errors.js";
import { printJson, renderTable } from "../../output.js";
import { jetstreamNoun } from "./noun.js";

const STORE_NAMES: readonly string[] = Object.values(OBJECT_STORES);

export function register(program: Command, deps: Deps): void {
  const object = jetstreamNoun(program).command("object").description(`inspect kanade's object stores (${STORE_NAMES.join(", ")})`);
  withJson(object.command("list"))
    .description("each object's name, size, SHA-256 (hex) and modification time; --json adds the NATS digest")
    .argument("<store>")
    .action(async (store: string, _opts: unknown, cmd: Command) => {
      if (!STORE_NAMES.includes(store)) throw badInput(`unknown object store "${store}"; kanade's object stores are ${STORE_NAMES.join(", ")}`);
      const { items } = await deps.client.call("listStoreObjects", { params: { store } });
      if (wantsJson(cmd)) return printJson(deps.io, items);
      deps.io.out(renderTable(["NAME", "SIZE", "SHA256", "MODIFIED"], items.map((o) => [o.key, o.size, o.sha256, o.mtime])));
    });
}
