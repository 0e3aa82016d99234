/**
 * The agent side of the client: one KLP connection as the OS user (reconnecting), the methods the UI may
 * call, and the pushes fanned out to the UI's event streams.
 */
import { KLP_METHOD_PARAMS, KLP_PUSH, type KlpMethod } from "@kanade/protocol/klp";
import { KlpClient } from "@kanade/protocol/klp-client";

/** The only KLP methods the UI reaches; anything else is refused by the bridge before the agent sees it. */
export const UI_METHODS = [
  "state.snapshot",
  "notifications.list",
  "notifications.ack",
  "jobs.list",
  "jobs.execute",
  "jobs.kill",
  "jobs.output",
  "support.upload_diagnostics",
] as const satisfies readonly KlpMethod[];
export type UiMethod = (typeof UI_METHODS)[number];
export const isUiMethod = (m: string): m is UiMethod => (UI_METHODS as readonly string[]).includes(m);

/** What the UI's event stream carries. */
export type BridgeEvent = { type: "agent"; online: boolean; user?: string; pc_id?: string } | { type: "push"; method: string; params: unknown };

export class BridgeError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details?: unknown) {
    super(message);
    this.name = "BridgeError";
  }
}

export interface BridgeOptions {
  socketPath: string;
  clientVersion: string;
  retryMs?: number;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
}

export class AgentBridge {
  private klp: KlpClient | undefined;
  private stopped = false;
  private readonly listeners = new Set<(e: BridgeEvent) => void>();
  private retry: NodeJS.Timeout | undefined;

  constructor(private readonly opts: BridgeOptions) {}

  /** Connects (and keeps reconnecting in the background); resolves after the first attempt. */
  async start(): Promise<void> {
    await this.connect();
  }

  get status(): BridgeEvent {
    const h = this.klp?.hello;
    return this.klp && !this.klp.closed && h ? { type: "agent", online: true, user: h.user, pc_id: h.pc_id } : { type: "agent", online: false };
  }

  onEvent(fn: (e: BridgeEvent) => void): () => void {
    this.listeners.add(fn);
    return () => void this.listeners.delete(fn);
  }

  /** Validates `params` against the method's KLP schema (so bad input gets the field name here), then calls the agent. */
  async call(method: string, params: unknown): Promise<unknown> {
    if (!isUiMethod(method)) throw new BridgeError(404, "unknown_method", `method: ${method} is not available to the client UI`);
    const parsed = KLP_METHOD_PARAMS[method].safeParse(params ?? undefined);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new BridgeError(400, "invalid_params", `${issue?.path.join(".") || "params"}: ${issue?.message ?? "invalid"}`, parsed.error.issues);
    }
    const klp = this.klp;
    if (!klp || klp.closed) throw new BridgeError(503, "agent_offline", "the kanade agent on this PC is not reachable");
    return klp.call(method, parsed.data as Record<string, unknown> | undefined);
  }

  stop(): void {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.klp?.close();
  }

  private emit(e: BridgeEvent): void {
    for (const fn of this.listeners) fn(e);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    try {
      const klp = await KlpClient.connect(this.opts.socketPath, { clientVersion: this.opts.clientVersion, clientName: "kanade-client" });
      this.klp = klp;
      for (const push of Object.values(KLP_PUSH)) klp.on(push, (params) => this.emit({ type: "push", method: push, params }));
      await Promise.all([klp.call("state.subscribe"), klp.call("notifications.subscribe"), klp.call("jobs.subscribe")]);
      this.opts.log?.("connected to the agent", { user: klp.hello?.user, pc_id: klp.hello?.pc_id });
      this.emit(this.status);
      void klp.waitClosed().then(() => {
        this.emit({ type: "agent", online: false });
        this.opts.log?.("the agent connection closed");
        this.schedule();
      });
    } catch (err) {
      this.opts.log?.("cannot reach the agent", { error: (err as Error).message, socket: this.opts.socketPath });
      this.klp?.close();
      this.klp = undefined;
      this.schedule();
    }
  }

  private schedule(): void {
    if (this.stopped) return;
    this.retry = setTimeout(() => void this.connect(), this.opts.retryMs ?? 2_000);
  }
}
