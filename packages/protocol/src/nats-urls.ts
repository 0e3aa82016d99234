/**
 * Broker addresses as operators write them: one URL, or several separated by commas (the nodes of a NATS
 * cluster), e.g. `nats://n1:4222,nats://n2:4222,nats://n3:4222`. Every client passes the whole list to nats.js,
 * which connects to one of them and fails over to the others.
 */

const SCHEMES = ["nats:", "tls:"];

/**
 * Splits a comma-separated list (or takes an array) into trimmed URLs, dropping empty entries; returns a
 * message naming the bad entry instead when one is not a `nats://` or `tls://` URL or a `host:port`.
 */
export function parseNatsUrls(value: string | readonly string[]): { ok: true; urls: string[] } | { ok: false; message: string } {
  const parts = (typeof value === "string" ? value.split(",") : value).map((s) => s.trim()).filter((s) => s !== "");
  if (parts.length === 0) return { ok: false, message: "expected at least one broker URL like nats://127.0.0.1:4222" };
  for (const p of parts) {
    if (/^[^:/\s]+:\d+$/.test(p)) continue; // host:port, as nats.js takes it
    let url: URL;
    try {
      url = new URL(p);
    } catch {
      return { ok: false, message: `"${p}" is not a broker URL (expected nats://host:port; separate several with commas)` };
    }
    if (!SCHEMES.includes(url.protocol)) return { ok: false, message: `"${p}": the scheme must be nats:// or tls://` };
  }
  return { ok: true, urls: parts };
}

/** The list for nats.js `servers` (lenient: a bad entry is left for nats.js to report). */
export function natsServers(value: string | readonly string[]): string[] {
  const parsed = parseNatsUrls(value);
  return parsed.ok ? parsed.urls : (typeof value === "string" ? value.split(",") : [...value]).map((s) => s.trim()).filter(Boolean);
}
