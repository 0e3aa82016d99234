/**
 * An exec or run by a caller scoped by permission groups: `all` becomes the PC groups of its scope (so the
 * command is published only on their subjects and the execution expects only their members), and named PCs
 * or groups outside the scope are refused with OUT_OF_SCOPE naming them, before anything is recorded.
 */
import { KanadeError, type ExecRequest } from "@kanade/protocol";
import type { Scope } from "../governance/scope-types.js";

export interface NarrowedRequest<R extends ExecRequest> {
  request: R;
  /** The permission groups `all` was narrowed to; absent when nothing was narrowed. */
  scopedTo?: string[];
}

const quoted = (xs: readonly string[]): string => {
  const shown = xs.slice(0, 20).map((x) => `"${x}"`).join(", ");
  return xs.length > 20 ? `${shown} and ${xs.length - 20} more` : shown;
};

export function narrowRequest<R extends ExecRequest>(request: R, scope: Scope | undefined): NarrowedRequest<R> {
  if (!scope) return { request };
  const badPcs = [...new Set(request.pcs ?? [])].filter((pc) => !scope.has(pc));
  const badGroups = [...new Set(request.groups ?? [])].filter((g) => !scope.hasGroup(g));
  if (badPcs.length > 0 || badGroups.length > 0) {
    const parts = [
      ...(badPcs.length ? [`PC(s) ${quoted(badPcs)}`] : []),
      ...(badGroups.length ? [`group(s) ${quoted(badGroups)}`] : []),
    ];
    throw new KanadeError(
      "OUT_OF_SCOPE",
      `${parts.join(" and ")} are outside your permission groups (${scope.permGroups.join(", ")}: PC groups ${scope.pcGroups.join(", ")}); nothing was run`,
      {
        details: [
          ...badPcs.map((pc) => ({ path: `pcs.${(request.pcs ?? []).indexOf(pc)}`, message: `PC "${pc}" is outside your scope` })),
          ...badGroups.map((g) => ({ path: `groups.${(request.groups ?? []).indexOf(g)}`, message: `group "${g}" is not one of your PC groups` })),
        ],
      },
    );
  }
  if (!request.all) return { request };
  const { all: _all, ...rest } = request;
  const groups = [...new Set([...(request.groups ?? []), ...scope.pcGroups])];
  return { request: { ...rest, groups } as R, scopedTo: [...scope.permGroups] };
}
