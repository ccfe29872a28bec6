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
    const run = () => lighthouse(base + route, {
      port: chrome.port,
      output: "json",
      logLevel: "error",
      onlyCategories: ["performance", "seo"],
      extraHeaders: { Cookie: header, "Accept-Language": "ar" },
    });
    // Lighthouse sometimes fails to record its own trace (NO_NAVSTART, "please run Lighthouse
    // again"): a failure of the tool, not of the page, so the route is run again, twice at most.
    let result = await run();
    for (let again = 0; again < 2 && result.lhr.runtimeError; again++) {
      console.error(`${route}: ${result.lhr.runtimeError.code}, run again`);
      result = await run();
    }
    const lhr = result.lhr;
    // A run without a figure (NaN): say why (Lighthouse's error, or the audit's own).
    for (const id of ["largest-contentful-paint", "total-blocking-time"]) {
      const why = lhr.runtimeError?.message ?? lhr.audits[id]?.errorMessage;
      if (why) console.error(`${route}: ${id}: ${why}`);
    }
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
      for (const line of mainThreadTasks(result.artifacts.Trace)) console.error(`${route}: ${line}`);
    }
  }
} finally {
  await chrome.kill();
}

// The page's main-thread tasks over 12 ms as recorded (before Lighthouse's 4× slowdown), each
// with the events it holds summed by name (a parent and its children both count): what a
// long task is made of (style and layout, a script's call, WebAssembly instantiation, …).
function mainThreadTasks(trace) {
  const events = trace?.traceEvents ?? [];
  const mains = new Set(events
    .filter((e) => e.ph === "M" && e.name === "thread_name" && e.args?.name === "CrRendererMain")
    .map((e) => `${e.pid}:${e.tid}`));
  const timed = events.filter((e) => e.ph === "X" && e.dur !== undefined && mains.has(`${e.pid}:${e.tid}`));
  if (timed.length === 0) return [];
  const t0 = Math.min(...timed.map((e) => e.ts));
  const lines = [];
  for (const task of timed.filter((e) => e.name === "RunTask" && e.dur > 12000)) {
    const end = task.ts + task.dur;
    const sums = new Map();
    for (const e of timed) {
      if (e === task || e.pid !== task.pid || e.tid !== task.tid || e.ts < task.ts || e.ts + e.dur > end) continue;
      const where = e.name === "FunctionCall" ? ` ${(e.args?.data?.url ?? "").split("/").pop()}` : "";
      sums.set(e.name + where, (sums.get(e.name + where) ?? 0) + e.dur);
    }
    const top = [...sums].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([n, d]) => `${n} ${(d / 1000).toFixed(1)}`);
    lines.push(`task at ${((task.ts - t0) / 1000).toFixed(0)} ms, ${(task.dur / 1000).toFixed(1)} ms: ${top.join(", ")}`);
  }
  return lines;
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
