/** Outgoing mail for invitation and password-reset links, through nodemailer; a failure is a 503 MAIL_UNAVAILABLE. */
import { KanadeError } from "@kanade/protocol";
import { createTransport } from "nodemailer";
import type { SmtpConfig } from "../config-smtp.js";

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

export interface Mailer {
  /** The web UI's address, which links in mail start with. */
  publicUrl: string;
  /** Resolves once the SMTP server accepted the message; throws MAIL_UNAVAILABLE otherwise. */
  send(message: MailMessage): Promise<void>;
  close(): void;
}

const SMTP_TIMEOUT_MS = 15_000;

export function createMailer(smtp: SmtpConfig): Mailer {
  const transport = createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.security === "tls",
    requireTLS: smtp.security === "starttls",
    ignoreTLS: smtp.security === "none",
    ...(smtp.user ? { auth: { user: smtp.user, ...(smtp.password ? { pass: smtp.password } : {}) } } : {}),
    connectionTimeout: SMTP_TIMEOUT_MS,
    greetingTimeout: SMTP_TIMEOUT_MS,
    socketTimeout: SMTP_TIMEOUT_MS,
  });
  return {
    publicUrl: smtp.publicUrl,
    send: async (m) => {
      try {
        await transport.sendMail({ from: smtp.from, to: m.to, subject: m.subject, text: m.text });
      } catch (err) {
        throw new KanadeError("MAIL_UNAVAILABLE", `Mail to ${m.to} could not be sent through ${smtp.host}:${smtp.port}: ${(err as Error).message}`, { cause: err });
      }
    },
    close: () => transport.close(),
  };
}

/** Refuses with 503 when the backend has no SMTP settings. */
export function mustHaveMailer(mailer: Mailer | undefined): Mailer {
  if (!mailer) throw new KanadeError("MAIL_UNAVAILABLE", "SMTP is not configured (KANADE_SMTP_HOST / [smtp] in the backend config), so no mail can be sent");
  return mailer;
}
