/**
 * What goes into dist/<role>/ for each role (pure: paths in, a plan out), and the README beside it.
 * layout-roles.ts carries the plan out.
 */
import { join } from "node:path";
import { SERVICES, type ServiceRole } from "./services.js";
import { WINSW_EXE_CONFIG } from "./winsw-binary.js";
import { winswXmlFor } from "./winsw-xml.js";

export const ROLES = ["agent", "backend", "nats", "client"] as const;
export type Role = (typeof ROLES)[number];

/** A file copied in (`from`), or written (`text`), at `to` inside dist/<role>/. */
export type PlannedFile =
  | { to: string; from: string; mode?: number }
  | { to: string; text: string; mode?: number };

export interface LayoutInputs {
  repo: string;
  dist: string;
  winswExe: string;
  natsServerExe?: string;
}

/** Executables from dist/ per role: Windows first; the role needs at least one of them to exist. */
export const ROLE_EXECUTABLES: Readonly<Record<Role, readonly string[]>> = {
  agent: ["kanade-agent.exe", "kanade-agent-linux-x64"],
  backend: ["kanade-backend.exe", "kanade-backend-linux-x64", "kanade.mjs"],
  nats: [],
  client: ["kanade-client.exe", "kanade-client-linux-x64"],
};

const isService = (role: Role): role is ServiceRole => role !== "client";

/** Every file of the role apart from the executables (which depend on what the build produced). */
export function rolePlan(role: Role, inputs: LayoutInputs): PlannedFile[] {
  const r = (...p: string[]): string => join(inputs.repo, ...p);
  const files: PlannedFile[] = [
    { to: "kanade-common.ps1", from: r("scripts/lib/kanade-common.ps1") },
    { to: `undeploy-${role}.ps1`, from: r("scripts/undeploy", `${role}.ps1`) },
  ];
  if (isService(role)) {
    const svc = SERVICES[role];
    files.push(
      { to: `deploy-${role}.ps1`, from: r("scripts/deploy", `${role}.ps1`) },
      { to: `${svc.id}.exe`, from: inputs.winswExe },
      { to: `${svc.id}.exe.config`, text: WINSW_EXE_CONFIG },
      { to: `${svc.id}.xml`, text: winswXmlFor(role) },
      { to: "linux/install.sh", from: r("deploy/linux/install.sh"), mode: 0o755 },
      { to: "linux/uninstall.sh", from: r("deploy/linux/uninstall.sh"), mode: 0o755 },
      { to: `linux/systemd/kanade-${role}.service`, from: r("deploy/linux/systemd", `kanade-${role}.service`) },
    );
  }
  if (role === "backend" || role === "nats") {
    files.push({ to: `install-kanade-${role}.yaml`, from: r("configs/jobs/installers", `install-kanade-${role}.yaml`) });
  }
  if (role === "nats") {
    if (inputs.natsServerExe === undefined) throw new Error("the nats role needs --nats-server <path to nats-server.exe>");
    files.push(
      { to: "nats-server.exe", from: inputs.natsServerExe },
      { to: "linux/update-nats.sh", from: r("deploy/linux/update-nats.sh"), mode: 0o755 },
      { to: "install-kanade-nats-linux.yaml", from: r("configs/jobs/installers/install-kanade-nats-linux.yaml") },
    );
  }
  if (role === "client") {
    files.push(
      { to: "deploy-client.ps1", from: r("scripts/deploy/client.ps1") },
      { to: "install-kanade-client.yaml", from: r("configs/jobs/installers/install-kanade-client.yaml") },
      { to: "linux/install-client.sh", from: r("deploy/linux/install-client.sh"), mode: 0o755 },
      { to: "install-kanade-client-linux.yaml", from: r("configs/jobs/installers/install-kanade-client-linux.yaml") },
    );
  }
  return files;
}

const DEPLOY_EXAMPLE: Record<ServiceRole, string> = {
  agent: "& .\\deploy-agent.ps1 -NatsUrl nats://<broker>:4222 -NatsToken '<token>' -ForceConfig -Recreate",
  backend: "& .\\deploy-backend.ps1 -NatsToken '<token>' -StaticToken '<32+ characters>' -ForceConfig -Recreate",
  nats: "& .\\deploy-nats.ps1 -NatsToken '<token>' -Recreate",
};

const LINUX_EXAMPLE: Record<ServiceRole, string> = {
  agent: "sudo sh linux/install.sh agent --nats-url nats://<broker>:4222 --nats-token '<token>'",
  backend: "sudo sh linux/install.sh backend --nats-token '<token>' --static-token '<32+ characters>'",
  nats: "sudo sh linux/install.sh nats --nats-server /path/to/linux/nats-server --nats-token '<token>'",
};

/** The README.md of dist/<role>/ listing what is there and the two commands that matter. */
export function roleReadme(role: Role, files: readonly string[]): string {
  const lines = [`# kanade ${role}`, "", "Files in this folder:", "", ...files.map((f) => `- \`${f}\``), ""];
  if (isService(role)) {
    const svc = SERVICES[role];
    lines.push(
      `## Windows (service ${svc.id})`,
      "",
      "From an elevated PowerShell in this folder:",
      "",
      "```powershell",
      DEPLOY_EXAMPLE[role],
      `& .\\undeploy-${role}.ps1            # remove it again; data and secrets are kept (-Purge removes them)`,
      "```",
      "",
      `${svc.id}.exe is WinSW, the service wrapper; ${svc.id}.xml is its generated configuration.`,
      "",
      `## Linux (unit kanade-${role}.service)`,
      "",
      "```sh",
      LINUX_EXAMPLE[role],
      `sudo sh linux/uninstall.sh ${role}     # --purge also removes config, secrets and state`,
      "```",
      "",
    );
  } else {
    lines.push(
      "The end-user app (kanade-client) is installed by the agent: publish kanade-client.exe with",
      "`kanade app publish kanade-client <v> kanade-client.exe`, set the four knobs at the top of",
      "deploy-client.ps1, publish that with `kanade script publish deploy-client <v> deploy-client.ps1` and",
      "create the job from install-kanade-client.yaml. By hand, elevated: `& .\\deploy-client.ps1 -Source .\\kanade-client.exe`.",
      "`undeploy-client.ps1` removes it from a PC. On Linux PCs the same, with kanade-client-linux-x64,",
      "linux/install-client.sh (script object deploy-client-linux) and install-kanade-client-linux.yaml.",
      "",
    );
  }
  lines.push("The whole procedure, from build to three running services and back out: docs/operator/deploy.md.", "");
  return lines.join("\n");
}
