import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { resultOutputChunkSubject, resultOutputMetaSubject } from "@kanade/protocol/wire";
import { chunksOf, objectMeta, ownChunkId } from "./own-object-writer.js";

describe("own object writer", () => {
  it("cuts a stream into chunks of the chunk size, holding the rest until the end", () => {
    const pending = [Buffer.from("abcde"), Buffer.from("fgh")];
    expect([...chunksOf(pending, 3, false)].map(String)).toEqual(["abc", "def"]);
    expect(pending.map(String)).toEqual(["gh"]);
    pending.push(Buffer.from("i"));
    // Exactly one chunk's worth is held back until the stream ends (it may be the last).
    expect([...chunksOf(pending, 3, false)].map(String)).toEqual([]);
    expect([...chunksOf(pending, 3, true)].map(String)).toEqual(["ghi"]);
    expect([...chunksOf([], 3, true)]).toEqual([]);
  });

  it("names chunks under the pc_id and spells the digest and meta subject as the object store client does", () => {
    const id = ownChunkId("pc-7");
    expect(id).toMatch(/^pc-7\.[A-Za-z0-9]+$/);
    expect(resultOutputChunkSubject(id)).toBe(`$O.result_output.C.${id}`);
    // The client's padded base64url: "=" kept, "+" and "/" replaced.
    expect(resultOutputMetaSubject("r/stdout")).toBe("$O.result_output.M.ci9zdGRvdXQ=");
    expect(resultOutputMetaSubject("é>?")).toBe(`$O.result_output.M.${Buffer.from("é>?").toString("base64").replace(/\+/g, "-").replace(/\//g, "_")}`);
    const sha = createHash("sha256").update("x").digest();
    const meta = objectMeta({ name: "r/stdout", id, size: 1, chunks: 1, sha256: sha, chunkBytes: 3, now: new Date(0) });
    expect(meta.digest).toBe(`SHA-256=${sha.toString("base64").replace(/\+/g, "-").replace(/\//g, "_")}`);
    expect(meta).toMatchObject({ bucket: "result_output", nuid: id, deleted: false, options: { max_chunk_size: 3 }, mtime: "1970-01-01T00:00:00.000Z" });
  });
});
