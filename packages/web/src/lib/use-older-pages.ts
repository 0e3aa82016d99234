/**
 * "Load older" under a polled first page: the pages fetched after it, with the cursor to go on from. Changing
 * `resetKey` (the list's filters) drops them, so older pages of another filter never mix in.
 */
import { useState } from "react";
import { asError } from "../api/client.js";

interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export function useOlderPages<T>(
  head: Page<T> | undefined,
  fetchPage: (cursor: string) => Promise<Page<T>>,
  resetKey: string,
): { rows: T[]; cursor: string | null; loadOlder: () => Promise<void>; error: Error | undefined } {
  const [older, setOlder] = useState<{ key: string; items: T[]; cursor: string | null }>();
  const [error, setError] = useState<Error | undefined>();
  const mine = older?.key === resetKey ? older : undefined;
  const cursor = mine ? mine.cursor : (head?.next_cursor ?? null);
  const loadOlder = async (): Promise<void> => {
    if (!cursor) return;
    try {
      const page = await fetchPage(cursor);
      setOlder({ key: resetKey, items: [...(mine?.items ?? []), ...page.items], cursor: page.next_cursor });
    } catch (err) {
      setError(asError(err));
    }
  };
  return { rows: [...(head?.items ?? []), ...(mine?.items ?? [])], cursor, loadOlder, error };
}
