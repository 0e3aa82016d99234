import type { Command } from "commander";
import { withJson, wantsJson, type Deps } from "../../deps.js";
import { CliError } from "../../errors.js";
import { printJson } from "../../output.js";
import { readStoredToken, removeStoredToken, tokenPath } from "../../token-store.js";

/** What happened to the saved session on the backend. */
type Outcome = "ended" | "already-ended" | "not-a-session";

export function register(program: Command, deps: Deps): void {
  withJson(program.command("logout"))
    .description("end the session saved by `kanade login` on the backend, then remove the saved token")
    .action(async (_opts: unknown, cmd: Command) => {
      const path = tokenPath(process.env);
      const token = readStoredToken(path);
      if (!token) {
        if (wantsJson(cmd)) return printJson(deps.io, { token_file: path, removed: false, ended: false });
        return deps.io.out(`not logged in (no token at ${path})\n`);
      }
      // The saved session, whatever KANADE_AUTH_TOKEN says: that is the one this command is about.
      const api = deps.client.withToken(token, "login");
      let outcome: Outcome;
      try {
        await api.call("logout");
        outcome = "ended";
      } catch (err) {
        const status = err instanceof CliError ? err.status : undefined;
        if (status !== 401 && status !== 400) {
          // Forget it locally anyway; say plainly that it still works on the backend until it expires.
          removeStoredToken(path);
          throw new CliError(`removed ${path}, but the session could not be ended on the backend, so it stays valid until it expires: ${(err as Error).message}`, {
            cause: err,
          });
        }
        outcome = status === 401 ? "already-ended" : "not-a-session";
      }
      removeStoredToken(path);
      if (wantsJson(cmd)) return printJson(deps.io, { token_file: path, removed: true, ended: outcome === "ended" });
      const what = { ended: "session ended", "already-ended": "the session had already ended", "not-a-session": "the saved token is not a session" }[outcome];
      deps.io.out(`${what}; removed ${path}\n`);
    });
}
