/** kanade-client: bridge the local agent (KLP) to a loopback UI, open it in an app window, sit in the tray (Windows). */
import { KLP_PUSH, type KlpNotice } from "@kanade/protocol/klp";
import { AgentBridge } from "./bridge.js";
import { CLIENT_VERSION, klpEndpoint, parseArgs } from "./config.js";
import { startDesktop, type Desktop } from "./desktop.js";
import { appWindowFor, openAppWindow } from "./open-window.js";
import { startClientServer } from "./server.js";

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.version) {
    console.log(`${CLIENT_VERSION} (node ${process.version})`);
    return;
  }
  const socketPath = args.socket ?? klpEndpoint(process.env, process.platform, process.getuid?.());
  const log = (msg: string, fields: Record<string, unknown> = {}): void => console.error(JSON.stringify({ time: new Date().toISOString(), msg, ...fields }));
  const bridge = new AgentBridge({ socketPath, clientVersion: CLIENT_VERSION, log });
  await bridge.start();
  const srv = await startClientServer(bridge);
  // The one line on stdout: scripts and tests read the URL from it.
  console.log(srv.launchUrl);
  const open = (url: string): void => {
    const cmd = appWindowFor(url, args.browser);
    if (cmd) openAppWindow(cmd);
    else log("no Edge or Chrome found; open the URL above in a browser");
  };
  if (args.open) open(srv.launchUrl);
  let desktop: Desktop | undefined;
  const stop = (): void => {
    desktop?.stop();
    bridge.stop();
    void srv.close().then(() => process.exit(0));
  };
  if (args.tray) {
    const lang = Intl.DateTimeFormat().resolvedOptions().locale.startsWith("ja") ? "ja" : "en";
    desktop = startDesktop({ onOpen: () => open(srv.newLaunchUrl()), onQuit: stop, log, lang });
    bridge.onEvent((e) => {
      if (e.type === "push" && e.method === KLP_PUSH.notificationsNew) {
        const n = e.params as KlpNotice;
        desktop?.notice({ title: n.title, body: n.body, priority: n.priority });
      }
    });
  }
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((err: unknown) => {
  console.error(`kanade-client: ${(err as Error).message}`);
  process.exit(2);
});
