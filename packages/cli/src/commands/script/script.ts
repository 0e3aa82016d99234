/** `kanade script publish|list|delete`: script objects in the `scripts` object store (`execute.script_object`). */
import type { Command } from "commander";
import type { Deps } from "../../deps.js";
import { registerObjectNoun } from "../../object-noun.js";

export function register(program: Command, deps: Deps): void {
  registerObjectNoun(program, deps, {
    name: "script",
    what: "script object",
    upload: "uploadScriptObject",
    list: "listScriptObjects",
    remove: "deleteScriptObject",
  });
}
