/** `[smtp]`: outgoing mail for invitation and password-reset links (docs/reference/config.md). */
import { z } from "zod";
import { intSetting, invalid, nonEmpty } from "./config-values.js";

export interface SmtpConfig {
  host: string;
  port: number;
  /** "tls": TLS from the first byte (port 465); "starttls": upgrade required; "none": plain (a local relay only). */
  security: "tls" | "starttls" | "none";
  user?: string;
  /** From KANADE_SMTP_PASSWORD only, never the TOML file. */
  password?: string;
  from: string;
  /** The address people open the web UI at; links in mail start with it (e.g. https://kanade.example.com). */
  publicUrl: string;
}

export const smtpFileSchema = z
  .object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535),
    security: z.enum(["tls", "starttls", "none"]),
    user: z.string().min(1),
    from: z.string().min(3),
    public_url: z.string().url(),
    // The secret stays out of the file: KANADE_SMTP_PASSWORD only.
    password: z.never({ message: "smtp.password is not read from the file; set KANADE_SMTP_PASSWORD in the backend's environment" }),
  })
  .partial()
  .strict();

/**
 * `[smtp]` in the TOML file, each key overridable by KANADE_SMTP_<KEY>; the password comes from
 * KANADE_SMTP_PASSWORD only (the TOML file refuses it). Unset host: no SMTP.
 */
export function loadSmtpConfig(env: NodeJS.ProcessEnv, file: { smtp?: z.infer<typeof smtpFileSchema> }): SmtpConfig | undefined {
  const f = file.smtp ?? {};
  const host = nonEmpty(env.KANADE_SMTP_HOST) ?? f.host;
  if (host === undefined) return undefined;
  const security = nonEmpty(env.KANADE_SMTP_SECURITY) ?? f.security ?? "starttls";
  if (security !== "tls" && security !== "starttls" && security !== "none") {
    throw invalid("KANADE_SMTP_SECURITY", `KANADE_SMTP_SECURITY: expected tls, starttls or none, got "${security}"`);
  }
  const port = intSetting(nonEmpty(env.KANADE_SMTP_PORT), "KANADE_SMTP_PORT", 1, 65535) ?? f.port ?? (security === "tls" ? 465 : 587);
  const from = nonEmpty(env.KANADE_SMTP_FROM) ?? f.from;
  if (from === undefined) throw invalid("KANADE_SMTP_FROM", "KANADE_SMTP_FROM (or smtp.from): the sender address is required with an SMTP host");
  const publicUrl = nonEmpty(env.KANADE_PUBLIC_URL) ?? f.public_url;
  if (publicUrl === undefined || !/^https?:\/\/[^/]+/.test(publicUrl)) {
    throw invalid("KANADE_PUBLIC_URL", "KANADE_PUBLIC_URL (or smtp.public_url): the http(s):// address of the web UI is required with an SMTP host, for the links in mail");
  }
  const user = nonEmpty(env.KANADE_SMTP_USER) ?? f.user;
  const password = nonEmpty(env.KANADE_SMTP_PASSWORD);
  if (password !== undefined && user === undefined) throw invalid("KANADE_SMTP_USER", "KANADE_SMTP_PASSWORD is set but no KANADE_SMTP_USER (or smtp.user)");
  return { host, port, security, from, publicUrl: publicUrl.replace(/\/+$/, ""), ...(user ? { user } : {}), ...(password ? { password } : {}) };
}
