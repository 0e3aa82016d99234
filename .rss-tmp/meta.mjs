import { build } from "esbuild";
const r = await build({ entryPoints: ["packages/agent/src/main.ts"], bundle: true, platform: "node", target: "node24", format: "cjs", minify: true, keepNames: true, write: false, metafile: true, supported: { "dynamic-import": false }, define: { __KANADE_AGENT_VERSION__: '"x"' }, logLevel: "error" , outfile: "/tmp/x.cjs"});
const out = Object.values(r.metafile.outputs)[0];
const byPkg = {};
for (const [f, v] of Object.entries(out.inputs)) {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(f);
  const k = m ? m[1] : f.replace(/^packages\/([^/]+)\/src\/([^/]+).*/, "$1/$2");
  byPkg[k] = (byPkg[k] ?? 0) + v.bytesInOutput;
}
console.log(Object.entries(byPkg).sort((a, b) => b[1] - a[1]).slice(0, 45).map(([k, v]) => `${(v/1024).toFixed(1)}K ${k}`).join("\n"));
