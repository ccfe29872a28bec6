import { test, expect, chromium as chromiumType } from "@playwright/test";
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { watchConsole, waitForHydration } from "./support";
import { launchOptions } from "../playwright.config";

test.skip(({ javaScriptEnabled }) => !javaScriptEnabled, "service workers need JavaScript");

test("the page hydrates with the strict CSP and no console errors or warnings", async ({ page }) => {
  const console = watchConsole(page);
  await page.goto("/");
  await waitForHydration(page);
  await page.waitForLoadState("networkidle");
  expect(console).toEqual([]);
});

// Issue 19: a page without an island fetched (or, without JavaScript, preloaded) 141 KB of
// WebAssembly it never ran. The page's own resources are read from the page, not the network:
// the service worker may fetch the chunks for the offline cache on its own.
test("a page without an island loads no WebAssembly; a page with one does", async ({ page }) => {
  const code = () =>
    page.evaluate(() =>
      performance
        .getEntriesByType("resource")
        .map((e) => e.name)
        .filter((n) => /\/pkg\/.*\.(wasm|js)$/.test(n)),
    );
  for (const path of ["/", "/vignette", "/vignette/verify", "/id-card", "/help"]) {
    await page.goto(path);
    await page.waitForLoadState("networkidle");
    expect(await code(), path).toEqual([]);
    expect(await page.locator('link[rel="preload"][as="fetch"], link[rel="modulepreload"], script[id^="bawaba-preload-"]').count(), path).toBe(0);
  }
  await page.goto("/vignette/calculator");
  await waitForHydration(page);
  expect((await code()).some((n) => n.endsWith(".wasm"))).toBe(true);
  await expect(page.locator("html[data-hydrated]")).toBeAttached();
  // Issue 23: the files the islands need are listed in the head, preloaded by the hydration
  // script once the page is painted (not by links in the head, which competed with the text),
  // and each is fetched once: no waterfall, no second download. The offline check's island is
  // lazy (its chunks come on top of the main module); the calculator's is in the main module.
  await page.goto("/vignette/verify/offline");
  await waitForHydration(page);
  const listed: string[] = await page.evaluate(() =>
    [...document.querySelectorAll('script[id^="bawaba-preload-"]')].flatMap((b) =>
      JSON.parse(b.textContent!).map(([href]: [string, boolean]) => href),
    ),
  );
  expect(listed.filter((h) => h.endsWith(".wasm")).length).toBeGreaterThan(2);
  const preloaded: string[] = await page.evaluate(() =>
    [...document.querySelectorAll('link[rel="preload"], link[rel="modulepreload"]')].map(
      (l) => new URL((l as HTMLLinkElement).href).pathname,
    ),
  );
  expect([...preloaded].sort()).toEqual([...listed].sort());
  const fetched = (await code()).map((n) => new URL(n).pathname);
  for (const href of listed) expect(fetched.filter((n) => n === href), href).toHaveLength(1);
});

test("a page that names no icon (the sandbox gateway's) gets the portal's, not a 404", async ({ request }) => {
  const res = await request.get("/favicon.ico");
  expect(res.status()).toBe(200);
  expect(res.headers()["content-type"]).toBe("image/png");
});

test("the manifest is linked and the service worker is registered", async ({ page, request }) => {
  await page.goto("/");
  const href = await page.locator('link[rel="manifest"]').getAttribute("href");
  const manifest = await (await request.get(href!)).json();
  expect(manifest.lang).toBe("ar");
  expect(manifest.dir).toBe("rtl");
  expect(manifest.display).toBe("standalone");
  expect(manifest.icons.map((i: any) => i.sizes)).toEqual(expect.arrayContaining(["192x192", "512x512"]));
  expect(manifest.icons.some((i: any) => i.purpose === "maskable")).toBe(true);
  const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
  expect(scope).toMatch(/\/$/);
});

test("Chromium considers the portal installable", async ({ baseURL }) => {
  // Installability is never granted to incognito profiles, which ordinary test contexts are:
  // this test uses a real profile.
  const profile = mkdtempSync(path.join(tmpdir(), "bawaba-profile-"));
  const context = await chromiumType.launchPersistentContext(profile, { ...launchOptions(), locale: "ar-DZ" });
  try {
    const page = await context.newPage();
    await page.goto(baseURL + "/");
    await page.evaluate(async () => navigator.serviceWorker.ready);
    const cdp = await context.newCDPSession(page);
    await expect
      .poll(async () => (await cdp.send("Page.getInstallabilityErrors")).installabilityErrors, { timeout: 15_000 })
      .toEqual([]);
  } finally {
    await context.close();
  }
});

test("the service worker serves the offline page when the server is down", async ({ browser }) => {
  // A server of our own, so that this test can stop it.
  const port = 3290;
  const server = spawn("bash", ["end2end/serve.sh", String(port)], {
    cwd: path.resolve(__dirname, "../.."),
    env: { ...process.env, BAWABA_DATA_DIR: mkdtempSync(path.join(tmpdir(), "bawaba-offline-")) },
    stdio: "ignore",
  });
  try {
    const base = `http://127.0.0.1:${port}`;
    await expect.poll(async () => (await fetch(`${base}/readyz`).catch(() => null))?.status, { timeout: 60_000 }).toBe(200);
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await page.evaluate(async () => navigator.serviceWorker.ready);
    await expect.poll(() => page.evaluate(() => !!navigator.serviceWorker.controller)).toBe(true);

    server.kill("SIGTERM");
    await expect.poll(async () => (await fetch(`${base}/healthz`).catch(() => null)) === null, { timeout: 15_000 }).toBe(true);

    await page.goto(`${base}/vignette`);
    await expect(page.locator("h1")).toHaveText("أنت غير متصل بالإنترنت");
    await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
    await context.close();
  } finally {
    server.kill("SIGKILL");
  }
});
