/**
 * `kanade agent pending | accept <pc>… | reject <pc>… | revoke <pc>`: who may join the fleet (like
 * `salt-key`). Accepting mints the agent's broker credential; a second key for an enrolled pc_id shows as a
 * conflict and replaces the old key only when accepted; revoking cuts the agent off the broker.
 */
import type { Command } from "commander";
import type { EnrollmentView } from "@kanade/protocol";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { printJson, renderTable } from "../../output.js";

const HEADERS = ["PC", "STATE", "HOSTNAME", "REQUESTED", "PUBLIC KEY", "CONFLICT"];
const short = (key: string): string => `${key.slice(0, 12)}…`;
const row = (e: EnrollmentView): (string | null)[] => [
  e.pc_id,
  e.state,
  e.hostname,
  e.requested_at,
  short(e.public_key),
  e.conflict ? `another key ${short(e.conflict.public_key)} from ${e.conflict.hostname} at ${e.conflict.requested_at}` : null,
];

export function register(agent: Command, deps: Deps): void {
  withJson(agent.command("pending"))
    .description("join requests waiting for an operator, and enrolled PCs that asked again under another key (conflicts)")
    .option("--all", "every PC that ever asked to join, whatever its state")
    .action(async (opts: { all?: boolean }, cmd: Command) => {
      const { items } = await deps.client.call("listEnrollments", { query: opts.all ? {} : { state: "attention" } });
      if (wantsJson(cmd)) return printJson(deps.io, items);
      if (items.length === 0) return deps.io.out("no join request waits for a decision\n");
      deps.io.out(renderTable(HEADERS, items.map(row)));
    });
  for (const [verb, route, what] of [
    ["accept", "acceptEnrollments", "let PCs join (mints their broker credential); for a conflict, the new key replaces the old one, which is revoked"],
    ["reject", "rejectEnrollments", "refuse PCs' join requests; for a conflict, the enrolled key stays"],
  ] as const) {
    withJson(agent.command(verb))
      .description(what)
      .argument("<pc...>", "pc_id(s)")
      .action(async (pcs: string[], _opts: unknown, cmd: Command) => {
        const { items } = await deps.client.call(route, { body: { pcs } });
        if (wantsJson(cmd)) return printJson(deps.io, items);
        for (const e of items) deps.io.out(`${e.pc_id}: ${e.state}${verb === "reject" && e.state === "accepted" ? " (the conflicting key was refused; the enrolled key stays)" : ""}\n`);
      });
  }
  withJson(agent.command("revoke"))
    .description("cut a PC off the broker within seconds; it cannot reconnect until an operator accepts it again")
    .argument("<pc>", "pc_id")
    .action(async (pc: string, _opts: unknown, cmd: Command) => {
      const e = await deps.client.call("revokeAgent", { params: { pc } });
      if (wantsJson(cmd)) return printJson(deps.io, e);
      deps.io.out(`${e.pc_id}: revoked; its broker credential is refused from now on\n`);
    });
}
