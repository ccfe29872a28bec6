// Lighthouse (mobile: a Moto G Power on simulated slow 4G, its default) on each route, in Debian's
// Chromium, Arabic: performance, LCP, TBT and SEO, each next to its goal (issue 23: performance at
// least 99, LCP at most 1.2 s, SEO 100). Routes under an account (see citizen.mjs) are opened with
// a new citizen's session cookie. Lighthouse comes from npm into .tools (`make bench`).
//
// Usage: BENCH_DATA_DIR=… node benches/lighthouse.mjs http://127.0.0.1:3300 / /vignette …
import { createRequire } from "node:module";
import { signIn } from "./citizen.mjs";

const tools = new URL("../.tools/node_modules/", import.meta.url);
const { default: lighthouse } = await import(new URL("lighthouse/core/index.js", tools));
const chromeLauncher = await import(new URL("chrome-launcher/dist/index.js", tools));
const require = createRequire(new URL("../end2end/package.json", import.meta.url));
const { chromium } = require("@playwright/test");

const [base, ...routes] = process.argv.slice(2);
const SIGNED_IN = ["/vignette/buy", "/vehicles", "/account", "/id-card/apply", "/id-card/applications"];

let cookie = null;
async function sessionCookie() {
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox"] });
  const cookies = await signIn(browser, base);
  await browser.close();
  return cookies.map((c) => `${c.name}=${c.value}`).join("; ");
}

const chrome = await chromeLauncher.launch({
  chromePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  chromeFlags: ["--headless=new", "--no-sandbox", "--disable-gpu", "--lang=ar"],
});
const rows = [];
try {
  for (const route of routes) {
    let header = "i18n_pref_locale=ar";
    if (SIGNED_IN.some((p) => route.startsWith(p))) header += "; " + (cookie ??= await sessionCookie());
    const result = await lighthouse(base + route, {
      port: chrome.port,
      output: "json",
      logLevel: "error",
      onlyCategories: ["performance", "seo"],
      extraHeaders: { Cookie: header, "Accept-Language": "ar" },
    });
    const lhr = result.lhr;
    const score = (c) => Math.round((lhr.categories[c]?.score ?? 0) * 100);
    const seoMisses = lhr.categories.seo.auditRefs
      .filter((r) => r.weight > 0 && lhr.audits[r.id].score !== null && lhr.audits[r.id].score < 1)
      .map((r) => r.id);
    rows.push({
      route,
      performance: score("performance"),
      lcp: lhr.audits["largest-contentful-paint"].numericValue,
      tbt: lhr.audits["total-blocking-time"].numericValue,
      seo: score("seo"),
      seoMisses,
    });
    // BENCH_LONG_TASKS=1: what blocked the main thread (TBT counts each task's time over 50 ms).
    if (process.env.BENCH_LONG_TASKS) {
      const tasks = lhr.audits["long-tasks"]?.details?.items ?? [];
      console.error(`${route}: long tasks ` + tasks.map((t) => `${Math.round(t.startTime)}+${Math.round(t.duration)} ms ${t.url}`).join("; "));
      const work = lhr.audits["bootup-time"]?.details?.items ?? [];
      console.error(`${route}: script time ` + work.map((w) => `${w.url} ${Math.round(w.scripting)}/${Math.round(w.scriptParseCompile)} ms`).join("; "));
    }
  }
} finally {
  await chrome.kill();
}

const met = (ok) => (ok ? "met" : "NOT met");
console.log("| route | performance | LCP | TBT | SEO | goal (≥ 99, LCP ≤ 1.2 s, SEO 100) |");
console.log("|---|---:|---:|---:|---:|---|");
for (const r of rows) {
  const ok = r.performance >= 99 && r.lcp <= 1200 && r.seo === 100;
  const misses = r.seoMisses.length ? ` (SEO: ${r.seoMisses.join(", ")})` : "";
  console.log(`| \`${r.route}\` | ${r.performance} | ${(r.lcp / 1000).toFixed(2)} s | ${Math.round(r.tbt)} ms | ${r.seo} | ${met(ok)}${misses} |`);
}
console.log("\nLighthouse " + (await import(new URL("lighthouse/package.json", tools), { with: { type: "json" } })).default.version + ", mobile (simulated slow 4G, 4× CPU slowdown), Debian Chromium, Arabic.");
