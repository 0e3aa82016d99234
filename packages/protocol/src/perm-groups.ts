/**
 * Permission groups (issue #18 part 3): an operator or viewer scoped to part of the fleet. A permission group
 * names PC groups (static or dynamic) and capabilities; an account in one or more of them sees and acts on
 * the members of those PC groups only, and only with those capabilities. An account in none keeps its role's
 * whole-fleet rights, so installs without permission groups behave as before.
 */
import * as z from "zod";
import { GROUP_RE } from "./ids.js";

/**
 * What a scoped operator may do to its PCs, on top of what its role allows. Reads need none: a scoped
 * viewer or operator reads whatever is about its PCs.
 */
export const CAPABILITIES = [
  "exec", // fire catalog jobs at its PCs (exec, preview)
  "run", // ad-hoc scripts at its PCs (kanade run)
  "kill", // kill executions on its PCs
  "approve", // approve or reject executions on its PCs
  "agents", // ping, revoke or forget its PCs
  "config", // write the config scope of its PCs and of its PC groups
  "jobs", // create, replace, delete, revoke and unrevoke catalog jobs, or make one from a run (the catalog is shared)
  "publish", // upload and delete app packages, script objects and agent builds (shared stores)
] as const;
export type Capability = (typeof CAPABILITIES)[number];
export const capabilitySchema = z.enum(CAPABILITIES, { error: `expected one of ${CAPABILITIES.join(", ")}` });

/** Same spelling rule as PC groups, so names read alike in the CLI. */
export const PERM_GROUP_RE = GROUP_RE;
export const permGroupNameSchema = z.string().regex(PERM_GROUP_RE, "expected a permission group name (letters, digits, _ and -, at most 63)");

const pcGroupNameSchema = z.string().regex(GROUP_RE, "expected a PC group name (letters, digits, _ and -, at most 63)");
const uniqueSorted = <T extends string>(xs: readonly T[]): T[] => [...new Set(xs)].sort();

/** `PUT /api/perm-groups/{name}`: create or replace. */
export const permGroupInputSchema = z
  .object({
    pc_groups: z.array(pcGroupNameSchema).min(1, "at least one PC group: a permission group without PCs would scope its accounts to nothing").max(256).transform(uniqueSorted),
    capabilities: z.array(capabilitySchema).max(CAPABILITIES.length * 2).transform(uniqueSorted),
    description: z.string().max(500).nullable().optional(),
  })
  .strict();
export type PermGroupInput = z.infer<typeof permGroupInputSchema>;

export const permGroupSchema = z.object({
  name: z.string(),
  description: z.string().nullable(),
  pc_groups: z.array(z.string()),
  capabilities: z.array(capabilitySchema),
  /** Usernames of the accounts in it. */
  members: z.array(z.string()),
  created_at: z.string(),
  updated_at: z.string(),
  updated_by: z.string(),
});
export type PermGroup = z.infer<typeof permGroupSchema>;

export const permGroupParams = z.object({ name: permGroupNameSchema });
export const permGroupDeletedSchema = z.object({ name: z.string(), deleted: z.literal(true) });

/** `PUT /api/accounts/{username}/perm-groups`: the account's whole set (empty: not scoped). */
export const accountPermGroupsBodySchema = z.object({ perm_groups: z.array(permGroupNameSchema).max(64).transform(uniqueSorted) }).strict();
export const accountPermGroupsSchema = z.object({ username: z.string(), perm_groups: z.array(z.string()) });
export type AccountPermGroups = z.infer<typeof accountPermGroupsSchema>;

/** What `GET /api/auth/me` says about the caller's scope; absent for accounts that are not scoped. */
export const callerScopeSchema = z.object({
  perm_groups: z.array(z.string()),
  pc_groups: z.array(z.string()),
  capabilities: z.array(capabilitySchema),
});
export type CallerScope = z.infer<typeof callerScopeSchema>;

/** The job manifest's `approval:` block: who may approve its executions. */
export const approvalPolicySchema = z
  .object({
    /** Only members of this permission group may approve or reject. */
    approver_group: permGroupNameSchema,
  })
  .strict();
export type ApprovalPolicy = z.infer<typeof approvalPolicySchema>;
