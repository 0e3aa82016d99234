/** The database holds password hashes, script output and the audit trail: only its owner may read it. */
import { existsSync, statSync } from "node:fs";
import { sqlitePath } from "../src/config.js";
import { afterAll, describe, expect, it } from "vitest";
import { tempSqlite } from "@kanade/testkit";
import { HELLO_YAML, useBackendEnv } from "./helpers.js";

// SQLite's files, whichever engine the rest of the run uses.
describe("database file modes", () => {
  const file = tempSqlite();
  const env = useBackendEnv({ databaseUrl: file.url });
  afterAll(() => file.remove());

  it("keeps the SQLite file and its WAL and shared-memory files at 0600", async () => {
    expect((await env().backend.api("POST", "/api/jobs", HELLO_YAML)).status).toBe(201);
    const db = sqlitePath(env().backend.dbUrl);
    const files = [db, `${db}-wal`, `${db}-shm`].filter((f) => existsSync(f));
    expect(files).toContain(`${db}-wal`);
    for (const f of files) expect((statSync(f).mode & 0o777).toString(8), f).toBe("600");
  });
});
