import { expect, type Browser, type Page, type BrowserContext } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";

export const LOCALES = ["ar", "fr", "en"] as const;
export type Locale = (typeof LOCALES)[number];

export const PAGES = [
  "/",
  "/vignette",
  "/id-card",
  "/id-card/eligibility/date-of-birth",
  "/id-card/eligibility/passport",
  "/id-card/eligibility/result",
  "/accessibility",
  "/privacy",
  "/help",
] as const;

/** Chooses the language the way a returning visitor has it: by the cookie. */
export async function useLocale(context: BrowserContext, baseURL: string, locale: Locale) {
  await context.addCookies([{ name: "i18n_pref_locale", value: locale, url: baseURL }]);
}

/** axe-core with every WCAG 2.x A/AA rule, including target-size (off by default). */
export async function expectNoAxeViolations(page: Page, label: string) {
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"])
    .options({ rules: { "target-size": { enabled: true } } })
    .analyze();
  const summary = results.violations.map(
    (v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
  );
  expect(summary, `axe violations on ${label}`).toEqual([]);
}

/** Nothing may scroll sideways. */
export async function expectNoHorizontalScroll(page: Page, label: string) {
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow, `horizontal overflow on ${label}`).toBeLessThanOrEqual(0);
}

/** Collects console errors and warnings (CSP violations and hydration problems appear there). */
export function watchConsole(page: Page): string[] {
  const messages: string[] = [];
  page.on("console", (msg) => {
    if (msg.type() === "error" || msg.type() === "warning") messages.push(`${msg.type()}: ${msg.text()}`);
  });
  page.on("pageerror", (err) => messages.push(`pageerror: ${err.message}`));
  return messages;
}

/** With JavaScript on: resolves once the WebAssembly has hydrated the page. */
export async function waitForHydration(page: Page) {
  await page.locator("html[data-hydrated]").waitFor({ state: "attached", timeout: 30_000 });
}

/**
 * The accessibility and layout audit of a page as it is before (and without) JavaScript.
 * axe needs to run a script in the page, which a context with JavaScript disabled cannot do; so
 * the audit uses a context where only the portal's own scripts are blocked: the DOM is then
 * exactly the server-rendered page a visitor without JavaScript gets.
 */
export async function auditWithoutPageScripts(browser: Browser, baseURL: string, path: string, locale: Locale) {
  const context = await browser.newContext({ locale: "ar-DZ", viewport: { width: 320, height: 640 }, javaScriptEnabled: true });
  await useLocale(context, baseURL, locale);
  await context.route(/\/pkg\/.*\.(js|wasm)$/, (route) => route.abort());
  const page = await context.newPage();
  await page.goto(baseURL + path);
  await expectNoHorizontalScroll(page, `${path} (${locale}, no JavaScript)`);
  await expectNoAxeViolations(page, `${path} (${locale}, no JavaScript)`);
  await context.close();
}
