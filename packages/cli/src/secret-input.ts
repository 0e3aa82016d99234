/** Reading stdin (whole, or as lines for `--password-stdin`) and prompting for a password without echo. */
import { createInterface } from "node:readline";
import { Writable } from "node:stream";
import { badInput } from "./errors.js";

/** All of stdin as UTF-8, less one trailing newline (so `echo REVOKED | kanade … -` sends `REVOKED`). */
export async function readStdinText(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
}

/** All of stdin, split into lines (trailing newline dropped). */
export async function readStdinLines(): Promise<string[]> {
  return (await readStdinText()).split(/\r?\n/);
}

/** Prompts on stderr and reads one line without echoing it; bad input when stdin is not a terminal. */
export async function promptSecret(question: string, flag = "--password-stdin"): Promise<string> {
  if (!process.stdin.isTTY) throw badInput(`no terminal to prompt for a password: pipe it in with ${flag}`);
  process.stderr.write(question);
  const muted = new Writable({ write: (_chunk, _enc, done) => done() });
  const rl = createInterface({ input: process.stdin, output: muted, terminal: true });
  try {
    return await new Promise<string>((resolve) => rl.question("", resolve));
  } finally {
    rl.close();
    process.stderr.write("\n");
  }
}
