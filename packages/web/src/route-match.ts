/** Maps a pathname to a page and its parameters. */
export type Route =
  | { page: "dashboard" }
  | { page: "agents" }
  | { page: "agent"; pc: string }
  | { page: "jobs" }
  | { page: "run" }
  | { page: "activity" }
  | { page: "execution"; execId: string }
  | { page: "result"; resultId: string }
  | { page: "inventory" }
  | { page: "perf" }
  | { page: "enroll" }
  | { page: "schedules" }
  | { page: "compliance" }
  | { page: "groups" }
  | { page: "events" }
  | { page: "notifications" }
  | { page: "support" }
  | { page: "account" }
  | { page: "permGroups" }
  | { page: "notFound" };

export function matchRoute(path: string): Route {
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  const [a, b, c] = parts;
  if (parts.length === 0) return { page: "dashboard" };
  if (a === "agents" && !b) return { page: "agents" };
  if (a === "agents" && b && !c) return { page: "agent", pc: b };
  if (a === "jobs" && !b) return { page: "jobs" };
  if (a === "run" && !b) return { page: "run" };
  if (a === "activity" && !b) return { page: "activity" };
  if (a === "activity" && b && !c) return { page: "execution", execId: b };
  if (a === "results" && b && !c) return { page: "result", resultId: b };
  if (a === "inventory" && !b) return { page: "inventory" };
  if (a === "perf" && !b) return { page: "perf" };
  if (a === "enrollment" && !b) return { page: "enroll" };
  if (a === "schedules" && !b) return { page: "schedules" };
  if (a === "compliance" && !b) return { page: "compliance" };
  if (a === "groups" && !b) return { page: "groups" };
  if (a === "events" && !b) return { page: "events" };
  if (a === "notifications" && !b) return { page: "notifications" };
  if (a === "support" && !b) return { page: "support" };
  if (a === "account" && !b) return { page: "account" };
  if (a === "perm-groups" && !b) return { page: "permGroups" };
  return { page: "notFound" };
}
