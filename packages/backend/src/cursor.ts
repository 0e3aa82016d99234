/** Opaque list cursors: base64url of the last row's sort key. */
import { KanadeError } from "@kanade/protocol";
import { z } from "zod";

/** Sort key of the last row of a page; encoded into the opaque cursor. */
export interface PageKey {
  at: string;
  id: string;
}

const keySchema = z.tuple([z.string(), z.string()]);

export function encodeCursor(key: PageKey): string {
  return Buffer.from(JSON.stringify([key.at, key.id]), "utf8").toString("base64url");
}

export function decodeCursor(cursor: string | undefined): PageKey | undefined {
  if (cursor === undefined || cursor === "") return undefined;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch (err) {
    throw new KanadeError("BAD_REQUEST", "cursor: not a cursor returned by this API", { cause: err, details: [{ path: "cursor", message: "invalid cursor" }] });
  }
  const r = keySchema.safeParse(value);
  if (!r.success) throw new KanadeError("BAD_REQUEST", "cursor: not a cursor returned by this API", { details: [{ path: "cursor", message: "invalid cursor" }] });
  return { at: r.data[0], id: r.data[1] };
}

/** next_cursor for a page fetched with limit+1 rows. */
export function page<T>(rows: T[], limit: number, key: (row: T) => PageKey): { items: T[]; next_cursor: string | null } {
  if (rows.length <= limit) return { items: rows, next_cursor: null };
  const items = rows.slice(0, limit);
  return { items, next_cursor: encodeCursor(key(items[items.length - 1]!)) };
}
