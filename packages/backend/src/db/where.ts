/** A WHERE clause built from optional filters, with its named parameters (list queries with cursors). */
export interface Where {
  add(clause: string, values: Record<string, string>): void;
  /** `WHERE a AND b`, or nothing when no filter was added. */
  sql(): string;
  readonly params: Record<string, string | number>;
}

export function where(params: Record<string, string | number> = {}): Where {
  const clauses: string[] = [];
  return {
    add: (clause, values) => {
      clauses.push(clause);
      Object.assign(params, values);
    },
    sql: () => (clauses.length ? `WHERE ${clauses.join(" AND ")}` : ""),
    params,
  };
}
