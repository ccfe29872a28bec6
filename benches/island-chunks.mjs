// What each island costs a visitor, read from a split build's files (no server needed): the
// main module and JS every page with an island loads, then per island the WebAssembly chunks
// its loader fetches (from `__wasm_split_manifest.*.json`), raw and brotli-compressed at
// quality 11 as `bundle-sizes.mjs` counts them. A chunk shared by two islands is counted for
// each (a page with one island downloads all of its chunks).
//
// Usage: node benches/island-chunks.mjs [target/site/pkg]   (after `cargo leptos build --split`)
import zlib from "node:zlib";
import fs from "node:fs";
import path from "node:path";

const dir = process.argv[2] ?? "target/site/pkg";
const files = fs.readdirSync(dir);
const brotli = (buf) =>
  zlib.brotliCompressSync(buf, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const sizes = (names) =>
  names.reduce(
    ([raw, br], name) => {
      const buf = fs.readFileSync(path.join(dir, name));
      return [raw + buf.length, br + brotli(buf)];
    },
    [0, 0],
  );
const kib = (n) => (n / 1024).toFixed(1);
const one = (prefix, suffix) => files.find((f) => f.startsWith(prefix) && f.endsWith(suffix));

const manifest = JSON.parse(fs.readFileSync(path.join(dir, one("__wasm_split_manifest", ".json"))));
const rows = [["main module (bawaba.*.wasm)", [one("bawaba.", ".wasm")]], ["JS (bawaba.*.js, __wasm_split.*.js)", [one("bawaba.", ".js"), one("__wasm_split.", ".js")]]];
for (const [island, chunks] of Object.entries(manifest).sort()) {
  rows.push([island.replace(/_loader_\d+$/, ""), chunks.map((c) => `${c}.wasm`)]);
}
console.log("| what | files | raw KiB | brotli KiB |\n|---|---:|---:|---:|");
for (const [name, list] of rows) {
  const [raw, br] = sizes(list);
  console.log(`| ${name} | ${list.length} | ${kib(raw)} | ${kib(br)} |`);
}
