/** The `kanade` command tree. Building it is separate from running it so tests can drive it in-process. */
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { CLI_EXIT } from "@kanade/protocol";
import { register as agentDeleteRelease } from "./commands/agent/delete-release.js";
import { register as agentForget } from "./commands/agent/forget.js";
import { register as agentEnrollment } from "./commands/agent/enrollment.js";
import { register as enrollToken } from "./commands/enroll-token/enroll-token.js";
import { register as agentReleases } from "./commands/agent/releases.js";
import { register as agentShow } from "./commands/agent/show.js";
import { register as agentTags } from "./commands/agent/tags.js";
import { register as configEffective } from "./commands/config/effective.js";
import { register as configScope } from "./commands/config/scope.js";
import { register as agentsList } from "./commands/agents/list.js";
import { register as appNoun } from "./commands/app/app.js";
import { register as execStart } from "./commands/exec/start.js";
import { register as runStart } from "./commands/run/start.js";
import { register as executionsList } from "./commands/executions/list.js";
import { register as kill } from "./commands/kill/kill.js";
import { register as groupList } from "./commands/group/list.js";
import { register as groupMembership } from "./commands/group/membership.js";
import { register as groupDynamic } from "./commands/group/dynamic.js";
import { register as inventory } from "./commands/inventory/inventory.js";
import { register as logs } from "./commands/logs/logs.js";
import { register as ping } from "./commands/ping/ping.js";
import { register as jobCreate } from "./commands/job/create.js";
import { register as jobFromRun } from "./commands/job/from-run.js";
import { register as jobDelete } from "./commands/job/delete.js";
import { register as jobExport } from "./commands/job/export.js";
import { register as jobList } from "./commands/job/list.js";
import { register as jobShow } from "./commands/job/show.js";
import { register as jobValidate } from "./commands/job/validate.js";
import { register as scheduleCreate } from "./commands/schedule/create.js";
import { register as freezeSet } from "./commands/freeze/set.js";
import { register as rolloutManage } from "./commands/rollout/manage.js";
import { register as complianceShow } from "./commands/compliance/show.js";
import { register as freezeClear } from "./commands/freeze/clear.js";
import { register as freezeStatus } from "./commands/freeze/status.js";
import { register as scheduleValidate } from "./commands/schedule/validate.js";
import { register as scheduleList } from "./commands/schedule/list.js";
import { register as scheduleShow } from "./commands/schedule/show.js";
import { register as scheduleExport } from "./commands/schedule/export.js";
import { register as scheduleDelete } from "./commands/schedule/delete.js";
import { register as scheduleEnable } from "./commands/schedule/enable.js";
import { register as scheduleDisable } from "./commands/schedule/disable.js";
import { register as schedulePreview } from "./commands/schedule/preview.js";
import { register as scheduleStatus } from "./commands/schedule/status.js";
import { register as scheduleCoverage } from "./commands/schedule/coverage.js";
import { register as resultsList } from "./commands/results/list.js";
import { register as revoke } from "./commands/revoke/revoke.js";
import { register as scriptNoun } from "./commands/script/script.js";
import { register as accountManage } from "./commands/account/manage.js";
import { register as accountTotp } from "./commands/account/totp.js";
import { register as accountInvitations } from "./commands/account/invitations.js";
import { register as permGroups } from "./commands/perm-group/manage.js";
import { register as auditList } from "./commands/audit/list.js";
import { register as supportList } from "./commands/support/list.js";
import { register as eventsList } from "./commands/events/list.js";
import { register as notifyCreate } from "./commands/notify/create.js";
import { register as notifyList } from "./commands/notify/list.js";
import { register as notifyShow } from "./commands/notify/show.js";
import { register as notifyAckStatus } from "./commands/notify/ack-status.js";
import { register as notifyWithdraw } from "./commands/notify/withdraw.js";
import { register as authLogin } from "./commands/auth/login.js";
import { register as executionsApprove } from "./commands/approve/approve.js";
import { register as authLogout } from "./commands/auth/logout.js";
import { register as jetstreamKv } from "./commands/jetstream/kv.js";
import { register as jetstreamObjectList } from "./commands/jetstream/object-list.js";
import { register as jetstreamStatus } from "./commands/jetstream/status.js";
import { register as commandKeys } from "./commands/command-keys/command-keys.js";
import { register as top } from "./commands/top.js";
import type { Deps } from "./deps.js";
import { exitCodeFor, formatError, type ExitCode } from "./errors.js";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
export const CLI_VERSION = pkg.version;

export function buildProgram(deps: Deps): Command {
  const program = new Command("kanade")
    .description("operate a kanade fleet: jobs, executions, results, agents, groups")
    .version(CLI_VERSION, "-V, --version")
    .option("--json", "print machine-readable JSON on stdout")
    // Program options only before the subcommand, so `agent publish --version <v>` is the command's
    // own option rather than `kanade --version` (which would print the CLI version and publish nothing).
    .enablePositionalOptions()
    .showSuggestionAfterError()
    // Usage errors must exit 2 (bad input), not commander's default 1: throw and map them in one place.
    .exitOverride()
    .configureOutput({ writeOut: (s) => deps.io.out(s), writeErr: (s) => deps.io.err(s) })
    .addHelpText("after", "\nEnvironment:\n  KANADE_BACKEND_URL  backend base URL (default http://127.0.0.1:8080)\n  KANADE_AUTH_TOKEN   bearer token for the API\n\nExit codes: 0 ok, 1 operation failed, 2 bad input.\n");

  const job = program.command("job").description("register, inspect and remove jobs");
  for (const reg of [jobCreate, jobValidate, jobList, jobShow, jobExport, jobDelete, jobFromRun]) reg(job, deps);
  const schedule = program.command("schedule").description("run jobs on a clock: per PC, per target, or on calendar days");
  for (const reg of [scheduleCreate, scheduleValidate, scheduleList, scheduleShow, scheduleExport, scheduleDelete, scheduleEnable, scheduleDisable, schedulePreview, scheduleStatus, scheduleCoverage]) reg(schedule, deps);
  const notify = program.command("notify").description("notifications to the people at the PCs (shown by kanade-client)");
  for (const reg of [notifyCreate, notifyList, notifyShow, notifyAckStatus, notifyWithdraw]) reg(notify, deps);
  const freeze = program.command("freeze").description("the fleet freeze: no schedule fires, exec needs --during-freeze");
  for (const reg of [freezeSet, freezeClear, freezeStatus]) reg(freeze, deps);
  complianceShow(program, deps);
  rolloutManage(program, deps);
  execStart(program, deps);
  runStart(program, deps);
  executionsList(program, deps);
  resultsList(program, deps);
  kill(program, deps);
  revoke(program, deps);
  agentsList(program, deps);
  const agent = program.command("agent").description("inspect one agent; decide who joins the fleet");
  agentShow(agent, deps);
  ping(program, deps);
  logs(program, deps);
  inventory(program, deps);
  agentReleases(agent, deps);
  agentDeleteRelease(agent, deps);
  agentForget(agent, deps);
  agentEnrollment(agent, deps);
  agentTags(agent, deps);
  enrollToken(program, deps);
  appNoun(program, deps);
  scriptNoun(program, deps);
  const group = program.command("group").description("manage group membership; dynamic groups by query");
  groupList(group, deps);
  groupMembership(group, deps);
  groupDynamic(group, deps);
  for (const reg of [authLogin, authLogout, accountManage, accountTotp, accountInvitations, permGroups, executionsApprove, auditList, jetstreamStatus, jetstreamKv, jetstreamObjectList, commandKeys, supportList, eventsList]) reg(program, deps);
  const config = program.command("config").description("layered agent config: global, per group, per PC");
  configScope(config, deps);
  configEffective(config, deps);
  top(program, deps);
  return program;
}

/** Runs `kanade <args>` and returns the exit code; every error is reported here, once. */
export async function runKanade(args: readonly string[], deps: Deps): Promise<ExitCode> {
  try {
    await buildProgram(deps).parseAsync([...args], { from: "user" });
    return CLI_EXIT.OK;
  } catch (err) {
    // Commander already printed its own usage message.
    if (!(err instanceof CommanderError)) deps.io.err(formatError(err));
    return exitCodeFor(err);
  }
}
