/** `kanade notify create <file>`: validate notification YAML locally (each bad field named, exit 2), then publish it. */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { parseNotificationYaml } from "@kanade/protocol";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { badInput } from "../../errors.js";
import { printJson } from "../../output.js";

export function register(notify: Command, deps: Deps): void {
  withJson(notify.command("create"))
    .description("validate notification YAML locally and publish it to the PCs it targets")
    .argument("<file>", "notification YAML (- for stdin)")
    .action(async (file: string, _opts: unknown, cmd: Command) => {
      let text: string;
      try {
        text = readFileSync(file === "-" ? 0 : file, "utf8");
      } catch (err) {
        throw badInput(`cannot read ${file}`, [{ path: file, message: (err as Error).message }]);
      }
      const r = parseNotificationYaml(text, new Date());
      if (!r.ok) throw badInput(`invalid notification: ${r.issues.length} problem(s); nothing was sent`, r.issues.map((i) => ({ path: i.path ? `${file}: ${i.path}` : file, message: i.message })));
      const created = await deps.client.call("createNotification", { body: text });
      if (wantsJson(cmd)) return printJson(deps.io, created);
      deps.io.out(`published ${created.id} to ${created.subjects.join(", ")}\n`);
    });
}
