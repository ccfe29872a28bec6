// Bytes a first visit downloads per route, as Chromium (Debian's, headless, 360 px, Arabic)
// fetches them: the HTML and every CSS, JS, WASM, icon or other file the page loads until it is
// hydrated, including the islands' lazily loaded WebAssembly chunks (which no static reading
// of the HTML can see). Each route gets a fresh browser context: no cache, no service worker
// yet. Bytes are the files' own, raw and brotli-compressed (quality 11, as a build would
// precompress), so the figure does not depend on the server's on-the-fly compression level.
//
// Routes under an account (`/vignette/buy`, `/vehicles/add`: the purchase route; the ID card
// application, `{id}` standing for a new application the script starts) are opened signed in:
// the script registers a citizen first, reading the e-mail code from the portal's
// data directory (BENCH_DATA_DIR, where e-mails are written as files when no SMTP server is
// configured).
//
// Usage: BENCH_DATA_DIR=… node benches/bundle-sizes.mjs http://127.0.0.1:3300 / /vignette …
import zlib from "node:zlib";
import { createRequire } from "node:module";
import { signIn as newCitizen } from "./citizen.mjs";

const require = createRequire(new URL("../end2end/package.json", import.meta.url));
const { chromium } = require("@playwright/test");

const [base, ...routes] = process.argv.slice(2);
const brotli = (buf) =>
  zlib.brotliCompressSync(buf, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
const SIGNED_IN = ["/vignette/buy", "/vehicles", "/account", "/id-card/apply", "/id-card/applications"];

function kindOf(url) {
  const p = new URL(url).pathname;
  if (p.endsWith(".css")) return "css";
  if (p.endsWith(".js")) return "js";
  if (p.endsWith(".wasm")) return "wasm";
  return "other"; // icons, the web manifest, fonts if a page ever loads one
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
});

/** A new-card ID card application of the signed-in citizen, for routes with `{id}`. */
async function applicationId() {
  const context = await browser.newContext();
  await context.addCookies((cookies ??= await newCitizen(browser, base)));
  const res = await context.request.post(base + "/api/id-card/apply", {
    form: { request_type: "new" },
    maxRedirects: 0,
    headers: { accept: "text/html" },
  });
  await context.close();
  const to = res.headers()["location"] ?? "";
  if (!to.startsWith("/id-card/applications/")) throw new Error(`no application: ${res.status()} ${to}`);
  return to.split("/").pop();
}

let cookies = null;
let application = null;
const rows = [];
for (const route of routes) {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: "ar-DZ", serviceWorkers: "block" });
  if (SIGNED_IN.some((p) => route.startsWith(p))) await context.addCookies((cookies ??= await newCitizen(browser, base)));
  await context.addCookies([{ name: "i18n_pref_locale", value: "ar", url: base }]);
  const page = await context.newPage();
  let islands = false;
  const files = new Map();
  page.on("response", async (res) => {
    const kind = res.request().resourceType() === "document" ? "html" : kindOf(res.url());
    if (!kind || res.status() !== 200) return;
    try {
      files.set(res.url(), { kind, body: await res.body() });
    } catch {
      // A response the page dropped (a navigation away): not part of this page's load.
    }
  });
  const url = route.includes("{id}") ? route.replace("{id}", (application ??= await applicationId())) : route;
  const res = await page.goto(base + url);
  if (!res.ok()) throw new Error(`${route}: ${res.status()}`);
  // A page with an island lists its WebAssembly in `bawaba-preload-*` data blocks
  // (ui::hydration), sent with the page; the preload links themselves are added at idle, so
  // counting them here raced the browser. A page without one has nothing to hydrate.
  islands = (await page.locator('script[id^="bawaba-preload-"]').count()) > 0;
  if (islands) {
    await page.locator("html[data-hydrated]").waitFor({ state: "attached", timeout: 30_000 });
  }
  await page.waitForLoadState("networkidle");
  const totals = {};
  for (const { kind, body } of files.values()) {
    const [raw, br] = totals[kind] ?? [0, 0];
    totals[kind] = [raw + body.length, br + brotli(body)];
  }
  rows.push({ route, islands, totals, chunks: [...files.keys()].filter((u) => /\/pkg\/(chunk|split)_/.test(u)).length });
  await context.close();
}
await browser.close();

const kinds = ["html", "css", "js", "wasm", "other"];
// Issue 23: a first visit of at most 30 KiB (brotli) without an island, 150 KiB with islands.
const GOAL = { false: 30, true: 150 };
const kb = (n) => (n / 1024).toFixed(1);
console.log(`| route | ${kinds.join(" | ")} | chunks | JS+WASM | total | goal |`);
console.log(`|---|${kinds.map(() => "---:").join("|")}|---:|---:|---:|---|`);
for (const { route, islands, totals, chunks } of rows) {
  const cell = (k) => (totals[k] ? `${kb(totals[k][0])} / ${kb(totals[k][1])}` : "–");
  const sum = (ks) => ks.reduce((a, k) => [a[0] + (totals[k]?.[0] ?? 0), a[1] + (totals[k]?.[1] ?? 0)], [0, 0]);
  const jw = sum(["js", "wasm"]);
  const all = sum(kinds);
  const goal = GOAL[islands];
  const met = all[1] <= goal * 1024 ? "met" : "NOT met";
  console.log(`| \`${route}\` | ${kinds.map(cell).join(" | ")} | ${chunks} | ${kb(jw[0])} / ${kb(jw[1])} | ${kb(all[0])} / ${kb(all[1])} | ≤ ${goal} KiB: ${met} |`);
}
console.log("\nKiB raw / KiB brotli (q11), as loaded by Chromium until hydrated; chunks: the islands' WebAssembly chunks fetched.");
