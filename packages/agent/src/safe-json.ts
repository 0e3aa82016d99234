/** JSON from the wire: the parsed value, or `{ invalid: <why> }` for a schema to refuse with a reason. */
export function safeJson(data: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(data));
  } catch (err) {
    return { invalid: (err as Error).message };
  }
}
