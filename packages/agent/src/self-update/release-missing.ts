/** `agent_releases` has no build under the key a rollout names (yet): retried, logged as a warning. */
export class ReleaseMissingError extends Error {
  constructor(readonly key: string) {
    super(`agent build ${key} is not in agent_releases`);
    this.name = "ReleaseMissingError";
  }
}
