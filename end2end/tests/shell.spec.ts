import { test, expect } from "@playwright/test";
import {
  LOCALES,
  auditWithoutPageScripts,
  PAGES,
  expectNoAxeViolations,
  expectNoHorizontalScroll,
  useLocale,
  watchConsole,
  waitForHydration,
} from "./support";

test("home is Arabic and right-to-left for a browser in Arabic and by default", async ({ page, browser, baseURL, javaScriptEnabled }) => {
  await page.goto("/");
  await expect(page.locator("html")).toHaveAttribute("lang", "ar");
  await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
  // A browser asking for a language the portal does not have gets Arabic too.
  const german = await browser.newContext({ locale: "de-DE", javaScriptEnabled });
  const other = await german.newPage();
  await other.goto(baseURL + "/");
  await expect(other.locator("html")).toHaveAttribute("lang", "ar");
  await expect(other.locator("html")).toHaveAttribute("dir", "rtl");
  await expect(other.locator("h1")).toHaveText("الخدمات الحكومية الإلكترونية");
  await german.close();
});

test("the language switch goes to French and English and back, staying on the page", async ({ page }) => {
  await page.goto("/vignette");
  await page.getByRole("link", { name: "Français" }).click();
  await expect(page).toHaveURL(/\/vignette$/);
  await expect(page.locator("html")).toHaveAttribute("lang", "fr");
  await expect(page.locator("html")).toHaveAttribute("dir", "ltr");
  await expect(page.locator("h1")).toHaveText("Acheter votre vignette automobile");

  await page.getByRole("link", { name: "English" }).click();
  await expect(page).toHaveURL(/\/vignette$/);
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expect(page.locator("h1")).toHaveText("Buy your vehicle vignette");

  await page.getByRole("link", { name: "العربية" }).click();
  await expect(page).toHaveURL(/\/vignette$/);
  await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
  await expect(page.locator("h1")).toHaveText("شراء قسيمة السيارة");
});

for (const locale of LOCALES) {
  for (const path of PAGES) {
    test(`${path} in ${locale}: accessible, no sideways scroll at 320 px, no console errors`, async ({
      page,
      context,
      browser,
      baseURL,
      javaScriptEnabled,
    }) => {
      await useLocale(context, baseURL!, locale);
      const console = watchConsole(page);
      await page.setViewportSize({ width: 320, height: 640 });
      const res = await page.goto(path);
      expect(res?.status()).toBe(200);
      await expect(page.locator("html")).toHaveAttribute("lang", locale);
      await expect(page.locator("h1")).toHaveCount(1);
      if (javaScriptEnabled) {
        await waitForHydration(page);
        await expectNoHorizontalScroll(page, `${path} (${locale})`);
        await expectNoAxeViolations(page, `${path} (${locale})`);
      } else {
        await auditWithoutPageScripts(browser, baseURL!, path, locale);
      }
      // Without JavaScript the preloaded WebAssembly is never used, and Chromium says so if the
      // page stays open a few seconds (the audit above can take that long): not a fault.
      const unusedPreload = /was preloaded using link preload but not used/;
      const relevant = javaScriptEnabled ? console : console.filter((m) => !unusedPreload.test(m));
      expect(relevant, "console errors or warnings").toEqual([]);
    });
  }
}

test("dark mode passes axe too", async ({ page, javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, "axe runs in the page: covered by the JavaScript-on run");
  await page.emulateMedia({ colorScheme: "dark" });
  for (const path of ["/", "/vignette"]) {
    await page.goto(path);
    await expectNoAxeViolations(page, `${path} (dark)`);
  }
});

test("an unknown address shows the localised 404 page", async ({ page, context, baseURL, javaScriptEnabled }) => {
  let res = await page.goto("/no-such-page");
  expect(res?.status()).toBe(404);
  await expect(page.locator("h1")).toHaveText("الصفحة غير موجودة");
  await useLocale(context, baseURL!, "en");
  res = await page.goto("/no-such-page");
  expect(res?.status()).toBe(404);
  await expect(page.locator("h1")).toHaveText("Page not found");
  if (javaScriptEnabled) await expectNoAxeViolations(page, "404");
});

test("the skip link moves focus to the main content", async ({ page }) => {
  await page.goto("/");
  await page.keyboard.press("Tab");
  const skip = page.locator(".skip-link");
  await expect(skip).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/#main$/);
});

test("fees on the start pages are shown without JavaScript too", async ({ page, context, baseURL }) => {
  await useLocale(context, baseURL!, "en");
  await page.goto("/vignette");
  await expect(page.getByRole("table", { name: "Cars (tourism)" })).toContainText("25\u202F000\u00A0DZD");
  await page.goto("/id-card");
  await expect(page.getByRole("row", { name: /New card/ })).toContainText("100\u00A0QAR");
});
