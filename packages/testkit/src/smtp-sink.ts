/** A local SMTP server on a free loopback port that keeps every mail it receives, for tests of mailed links. */
import { SMTPServer } from "smtp-server";

export interface SinkMail {
  from: string;
  to: string[];
  /** Headers and body, as received. */
  raw: string;
  /** The body with quoted-printable undone. */
  text: string;
}

export interface SmtpSink {
  host: string;
  port: number;
  mails: SinkMail[];
  /** Resolves with the first mail to `to` (any case) that has not been taken yet. */
  next(to: string, timeoutMs?: number): Promise<SinkMail>;
  close(): Promise<void>;
}

const decodeQuotedPrintable = (s: string): string =>
  s.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));

function bodyOf(raw: string): string {
  const split = raw.indexOf("\r\n\r\n");
  const headers = split >= 0 ? raw.slice(0, split) : "";
  const body = split >= 0 ? raw.slice(split + 4) : raw;
  return /content-transfer-encoding:\s*quoted-printable/i.test(headers) ? decodeQuotedPrintable(body) : body;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const mails: SinkMail[] = [];
  const taken = new Set<SinkMail>();
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          text: bodyOf(raw),
        });
        callback();
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const addr = server.server.address();
      resolve(typeof addr === "object" && addr ? addr.port : 0);
    });
  });
  const find = (to: string): SinkMail | undefined => mails.find((m) => !taken.has(m) && m.to.some((t) => t.toLowerCase() === to.toLowerCase()));
  return {
    host: "127.0.0.1",
    port,
    mails,
    next: async (to, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = find(to);
        if (m) {
          taken.add(m);
          return m;
        }
        if (Date.now() > deadline) throw new Error(`no mail to ${to} within ${timeoutMs} ms (got ${mails.length} mail(s) in all)`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The first link in a mail that starts with `base` (e.g. the backend's public URL). */
export function linkIn(mail: SinkMail, base: string): string {
  const escaped = base.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const m = new RegExp(`${escaped}/[A-Za-z0-9_/-]+`).exec(mail.text);
  if (!m) throw new Error(`no link to ${base} in the mail:\n${mail.text}`);
  return m[0];
}
