/** kanade-client: bridge the local agent (KLP) to a loopback UI and open it in an app window. */
import { AgentBridge } from "./bridge.js";
import { CLIENT_VERSION, klpEndpoint, parseArgs } from "./config.js";
import { appWindowFor, openAppWindow } from "./open-window.js";
import { startClientServer } from "./server.js";

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const socketPath = args.socket ?? klpEndpoint(process.env, process.platform, process.getuid?.());
  const log = (msg: string, fields: Record<string, unknown> = {}): void => console.error(JSON.stringify({ time: new Date().toISOString(), msg, ...fields }));
  const bridge = new AgentBridge({ socketPath, clientVersion: CLIENT_VERSION, log });
  await bridge.start();
  const srv = await startClientServer(bridge);
  // The one line on stdout: scripts and tests read the URL from it.
  console.log(srv.launchUrl);
  if (args.open) {
    const cmd = appWindowFor(srv.launchUrl, args.browser);
    if (cmd) openAppWindow(cmd);
    else log("no Edge or Chrome found; open the URL above in a browser");
  }
  const stop = (): void => {
    bridge.stop();
    void srv.close().then(() => process.exit(0));
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((err: unknown) => {
  console.error(`kanade-client: ${(err as Error).message}`);
  process.exit(2);
});
