/** The plumbing of `useCall` kept out of React: when an input counts as new, and the call's arguments. */
import type { CallArgs, CallInput, CallableRouteName } from "@kanade/protocol";

/** Equal for inputs with equal values (params, query and body are plain JSON), null for "do not call". */
export const inputKey = (input: unknown): string | null => (input === null ? null : JSON.stringify(input));

/** `[input]` for `api.call(name, …)`, with the abort signal of the component that made the call. */
export function callArgs<K extends CallableRouteName>(_name: K, input: CallInput<K>, signal: AbortSignal): CallArgs<K> {
  // CallArgs<K> is a conditional type TypeScript cannot resolve for a generic K; the input is already a CallInput<K>.
  return [{ ...input, signal }] as unknown as CallArgs<K>;
}
