// Time per quote in the browser: the fee calculator's island recomputes the quote in
// WebAssembly when an answer changes. Chromium (Debian's, headless) opens the calculator with a
// car's answers, then changes the fiscal horsepower 200 times between two bands; each sample
// is the time from the `change` event to the result's DOM update. Prints the median and p95.
// Usage: node benches/quote-in-browser.mjs http://127.0.0.1:3300
import { createRequire } from "node:module";

const require = createRequire(new URL("../end2end/package.json", import.meta.url));
const { chromium } = require("@playwright/test");

const base = process.argv[2];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
});
const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
await page.goto(`${base}/vignette/calculator?campaign=2026&category=1&fuel=petrol&first_year=2022&fiscal_hp=8&status=`);
await page.locator("html[data-hydrated]").waitFor({ state: "attached", timeout: 30_000 });
const samples = await page.evaluate(async () => {
  const input = document.getElementById("fiscal_hp");
  const result = document.querySelector(".calculator__result");
  const times = [];
  for (let i = 0; i < 200; i++) {
    input.value = i % 2 ? "8" : "5";
    const changed = new Promise((resolve) => {
      const observer = new MutationObserver(() => { observer.disconnect(); resolve(); });
      observer.observe(result, { subtree: true, childList: true, characterData: true });
    });
    const start = performance.now();
    input.dispatchEvent(new Event("change", { bubbles: true }));
    await changed;
    times.push(performance.now() - start);
  }
  return times;
});
await browser.close();
samples.sort((a, b) => a - b);
const at = (q) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
console.log(`| quotes in the browser | median | p95 |`);
console.log(`|---|---:|---:|`);
console.log(`| change → result in the DOM (${samples.length} changes, 360 px Chromium) | ${at(0.5).toFixed(2)} ms | ${at(0.95).toFixed(2)} ms |`);
