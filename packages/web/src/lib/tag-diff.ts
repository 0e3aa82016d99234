/** What the tag editor sends: keys whose value is new or changed, and keys that are gone (empty rows ignored). */
export function tagDiff(before: Readonly<Record<string, string>>, rows: readonly { key: string; value: string }[]): { set: Record<string, string>; remove: string[] } {
  const after = Object.fromEntries(rows.filter((r) => r.key.trim() !== "").map((r) => [r.key.trim(), r.value.trim()]));
  const set = Object.fromEntries(Object.entries(after).filter(([k, v]) => before[k] !== v));
  const remove = Object.keys(before).filter((k) => !(k in after));
  return { set, remove };
}
