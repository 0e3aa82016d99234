import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { tempDir, type TempDir } from "@kanade/testkit";
import { openDatabase } from "./database.js";
import { SqliteDatabase as SqlDatabase } from "./sqlite.js";

describe("SqlDatabase (node:sqlite)", () => {
  let db: SqlDatabase;
  beforeEach(() => {
    db = new SqlDatabase(":memory:");
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL, n INTEGER)");
  });
  afterEach(() => db.close());

  const names = (): string[] => db.prepare("SELECT name FROM t ORDER BY id").pluck().all() as string[];

  it("binds positional and named values (a record may carry columns the SQL does not name)", () => {
    expect(db.prepare("INSERT INTO t (name, n) VALUES (?, ?)").run("a", 1)).toEqual({ changes: 1, lastInsertRowid: 1 });
    db.prepare("INSERT INTO t (name, n) VALUES (@name, @n)").run({ name: "b", n: 2, extra: "ignored" });
    expect(db.prepare("SELECT * FROM t WHERE name = ?").get("b")).toEqual({ id: 2, name: "b", n: 2 });
    expect(db.prepare("SELECT * FROM t WHERE name = ?").get("zzz")).toBeUndefined();
    expect(db.prepare("SELECT COUNT(*) FROM t").pluck().get()).toBe(2);
    expect([...db.prepare("SELECT name FROM t ORDER BY id").pluck().iterate()]).toEqual(["a", "b"]);
  });

  it("commits a transaction when it returns and rolls all of it back when it throws", () => {
    const insert = db.prepare("INSERT INTO t (name) VALUES (?)");
    const both = db.transaction((a: string, b: string | null) => {
      insert.run(a);
      insert.run(b); // NOT NULL: throws for null
      return 2;
    });
    expect(both("a", "b")).toBe(2);
    expect(() => both("c", null)).toThrow(/NOT NULL/);
    expect(names()).toEqual(["a", "b"]);
  });

  it("runs a transaction inside another as a savepoint: its failure undoes only its own writes", () => {
    const insert = db.prepare("INSERT INTO t (name) VALUES (?)");
    const inner = db.transaction((name: string) => {
      insert.run(name);
      throw new Error("inner fails");
    });
    const outer = db.transaction(() => {
      insert.run("outer");
      expect(() => inner("inner")).toThrow("inner fails");
      insert.run("after");
    });
    outer();
    expect(names()).toEqual(["outer", "after"]);
  });

  it("opens a file in WAL mode with the schema migrated", () => {
    const dir: TempDir = tempDir("kanade-sqlite-");
    try {
      const file = openDatabase(dir.join("k.db"));
      expect(file.pragma("journal_mode")).toEqual([{ journal_mode: "wal" }]);
      expect(file.prepare("SELECT COUNT(*) FROM schema_migrations").pluck().get()).toBeGreaterThan(0);
      file.close();
    } finally {
      dir.remove();
    }
  });
});
