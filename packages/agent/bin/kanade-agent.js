#!/usr/bin/env -S node --lite-mode --single-threaded-gc
// The #! flags are packages/agent/node-flags.json's (test/node-flags.test.ts checks): started through npm's
// bin link or this file directly, the workspace agent runs as the single executable does.
import "../dist/main.js";
