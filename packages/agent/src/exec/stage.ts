/** Writes a command's script into its own folder under `<data_dir>/agent-scripts/`. */
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { v4 as uuidv4 } from "uuid";
import type { Shell } from "@kanade/protocol/wire";
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from "../private-files.js";
import { cmdScriptBody, powershellLauncher, SCRIPT_EXTENSIONS, usesLauncher } from "./launcher.js";

export interface StagedScript {
  dir: string;
  scriptPath: string;
  /** The file the shell is started with (the launcher for PowerShell). */
  entryPath: string;
  remove(): Promise<void>;
}

/** Where every run's staging folder lives. */
export const stagingRoot = (dataDir: string): string => join(dataDir, "agent-scripts");

export async function stageScript(dataDir: string, shell: Shell, body: string): Promise<StagedScript> {
  const id = uuidv4();
  const dir = join(stagingRoot(dataDir), id);
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const scriptPath = join(dir, `kanade-${id}.${SCRIPT_EXTENSIONS[shell]}`);
  // A BOM lets Windows PowerShell 5.1 read the script as UTF-8 instead of the ANSI code page.
  const text = usesLauncher(shell) ? `\uFEFF${body}` : shell === "cmd" ? cmdScriptBody(body) : body;
  await writeFile(scriptPath, text, { encoding: "utf8", mode: PRIVATE_FILE_MODE });
  let entryPath = scriptPath;
  if (usesLauncher(shell)) {
    entryPath = join(dir, `kanade-${id}-launcher.ps1`);
    await writeFile(entryPath, `\uFEFF${powershellLauncher(scriptPath)}`, { encoding: "utf8", mode: PRIVATE_FILE_MODE });
  }
  return { dir, scriptPath, entryPath, remove: () => rm(dir, { recursive: true, force: true }) };
}
