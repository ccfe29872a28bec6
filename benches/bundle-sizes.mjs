// Bytes a first visit downloads per route: the HTML and everything it references (CSS, JS,
// WASM, fonts, icons, manifest), raw and brotli-compressed (quality 11, as a build would
// precompress). Usage: node benches/bundle-sizes.mjs http://127.0.0.1:3300 / /vignette …
import zlib from "node:zlib";

const [base, ...routes] = process.argv.slice(2);
const brotli = (buf) =>
  zlib.brotliCompressSync(buf, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;

async function bytes(url) {
  const res = await fetch(url, { headers: { "accept-encoding": "identity", cookie: "i18n_pref_locale=ar" } });
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

function kindOf(path) {
  if (path.endsWith(".css")) return "css";
  if (path.endsWith(".js")) return "js";
  if (path.endsWith(".wasm")) return "wasm";
  if (path.endsWith(".woff2")) return "fonts";
  return "other";
}

const rows = [];
for (const route of routes) {
  const html = await bytes(base + route);
  const text = html.toString("utf8");
  const refs = new Set();
  for (const m of text.matchAll(/<link[^>]+href="([^"]+)"[^>]*>/g)) refs.add(m[1]);
  // The hydration script imports the JS and fetches the WASM by name.
  for (const m of text.matchAll(/"(\/?pkg\/[^"]+?)"/g)) refs.add(m[1]);
  const totals = { html: [html.length, brotli(html)] };
  for (const ref of refs) {
    if (!ref.startsWith("/")) continue;
    const kind = kindOf(ref);
    if (kind === "other") continue;
    const body = await bytes(base + ref);
    const [raw, br] = totals[kind] ?? [0, 0];
    totals[kind] = [raw + body.length, br + brotli(body)];
  }
  rows.push({ route, totals });
}

const kinds = ["html", "css", "js", "wasm", "fonts"];
const kb = (n) => (n / 1024).toFixed(1);
console.log(`| route | ${kinds.join(" | ")} | JS+WASM | total |`);
console.log(`|---|${kinds.map(() => "---:").join("|")}|---:|---:|`);
for (const { route, totals } of rows) {
  const cell = (k) => (totals[k] ? `${kb(totals[k][0])} / ${kb(totals[k][1])}` : "–");
  const sum = (ks) => ks.reduce((a, k) => [a[0] + (totals[k]?.[0] ?? 0), a[1] + (totals[k]?.[1] ?? 0)], [0, 0]);
  const jw = sum(["js", "wasm"]);
  const all = sum(kinds);
  console.log(`| \`${route}\` | ${kinds.map(cell).join(" | ")} | ${kb(jw[0])} / ${kb(jw[1])} | ${kb(all[0])} / ${kb(all[1])} |`);
}
console.log("\nKiB raw / KiB brotli (q11). Fonts: the one the Arabic page preloads.");
