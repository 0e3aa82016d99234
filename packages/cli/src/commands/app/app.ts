/** `kanade app publish|list|delete`: application packages in the `app_packages` object store. */
import type { Command } from "commander";
import type { Deps } from "../../deps.js";
import { registerObjectNoun } from "../../object-noun.js";

export function register(program: Command, deps: Deps): void {
  registerObjectNoun(program, deps, {
    name: "app",
    what: "application package",
    upload: "uploadAppPackage",
    list: "listAppPackages",
    remove: "deleteAppPackage",
  });
}
