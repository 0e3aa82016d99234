/** Identity rules shared by every component (SPEC §1). */
export const PC_ID_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
/**
 * A job id is a NATS KV key (`jobs`, `jobs_yaml`, …) and a subject token, so dots may only separate
 * non-empty parts: no leading or trailing dot and no `..`. At most 64 characters.
 */
export const JOB_ID_RE = /^(?=.{1,64}$)[a-z0-9][a-z0-9_-]*(?:\.[a-z0-9_-]+)*$/;
/** Group names share the pc_id alphabet: they become a subject token and a KV key. */
export const GROUP_RE = PC_ID_RE;
export const SEMVER_RE =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;
export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isPcId = (s: string): boolean => PC_ID_RE.test(s);
export const isJobId = (s: string): boolean => JOB_ID_RE.test(s);
export const isGroupName = (s: string): boolean => GROUP_RE.test(s);
export const isSemver = (s: string): boolean => SEMVER_RE.test(s);

/**
 * The short form of an id shown by the web UI and the CLI: the last 8 hex digits. A UUIDv7 starts with a
 * millisecond timestamp shared by ids made together, so the random tail is what tells them apart.
 * `GET /api/executions?id=` and the CLI accept it (or any unique prefix or suffix) back.
 */
export const shortId = (id: string): string => id.replace(/-/g, "").slice(-8);
/** A piece of an id as an operator may paste it: 4 or more hex digits, dashes allowed. */
export const ID_FRAGMENT_RE = /^[0-9a-fA-F-]{4,36}$/;

/** The job_id every ad-hoc run's commands carry (issue 17); no job manifest may use it. */
export const ADHOC_JOB_ID = "adhoc";
