/** The `kanade jetstream` noun, shared by its command files whichever registers first. */
import type { Command } from "commander";

export const jetstreamNoun = (program: Command): Command =>
  program.commands.find((c) => c.name() === "jetstream") ??
  program.command("jetstream").description("inspect the NATS JetStream resources: usage, KV buckets, object stores");
