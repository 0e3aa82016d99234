import { describe, expect, it } from "vitest";
import { canonicalJson, parseManifestYaml, type Manifest } from "@kanade/protocol";
import { manifestDigest } from "./digest.js";

const manifest = (yaml: string): Manifest => {
  const r = parseManifestYaml(yaml);
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.manifest;
};
const BASE = "id: a\nversion: 1.0.0\nexecute:\n  shell: sh\n  script: echo one\n";

describe("manifest digest", () => {
  it("is the same for the same content whatever the key order or formatting", () => {
    const reordered = "version: 1.0.0\nexecute:\n  script: echo one\n  shell: sh\nid: a   # comment\n";
    expect(manifestDigest(manifest(reordered))).toBe(manifestDigest(manifest(BASE)));
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: undefined }] })).toBe('{"a":[{"d":2}],"b":1}');
  });

  it("changes with the script body, a governance field, or the script object's digest", () => {
    const d = manifestDigest(manifest(BASE));
    expect(manifestDigest(manifest(BASE.replace("echo one", "echo two")))).not.toBe(d);
    expect(manifestDigest(manifest(`${BASE}require_approval: true\n`))).not.toBe(d);
    const obj = "id: a\nversion: 1.0.0\nexecute:\n  shell: sh\n  script_object: s/1\n";
    expect(manifestDigest(manifest(obj), "aa")).not.toBe(manifestDigest(manifest(obj), "bb"));
    expect(d).toMatch(/^[0-9a-f]{64}$/);
  });
});
