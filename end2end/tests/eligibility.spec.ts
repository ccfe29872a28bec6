import { test, expect } from "@playwright/test";
import { expectNoAxeViolations, useLocale, waitForHydration, auditWithoutPageScripts } from "./support";

// The first journey on the journey mechanism, run with JavaScript on and off: errors keep what
// was typed, Back and Change links work, answers survive a new tab, the result names each
// condition not met.
test("checking eligibility for the resident ID card, start to result", async ({
  page,
  context,
  browser,
  baseURL,
  javaScriptEnabled,
}) => {
  await useLocale(context, baseURL!, "en");
  const ready = async () => {
    if (javaScriptEnabled) await waitForHydration(page);
  };
  const next = async () => {
    await page.getByRole("button", { name: "Continue" }).click();
  };

  await page.goto("/id-card");
  await page.getByRole("button", { name: "Check if you can apply" }).click();
  await expect(page).toHaveURL(/\/id-card\/eligibility\/date-of-birth$/);
  await ready();
  await expect(page.getByText("Step 1 of 5")).toBeVisible();

  // A date that does not exist: the error is in the summary and at the field, the title says
  // so, and what was typed is still there.
  await page.getByLabel("Day").fill("31");
  await page.getByLabel("Month").fill("2");
  await page.getByLabel("Year").fill("1990");
  await next();
  await expect(page.locator(".error-summary")).toContainText("Your date of birth must be a real date");
  await expect(page.locator(".field__error")).toContainText("must be a real date");
  await expect(page).toHaveTitle(/^Error: What is your date of birth\?/);
  await expect(page.getByLabel("Day")).toHaveValue("31");
  await expect(page.getByLabel("Year")).toHaveValue("1990");
  if (javaScriptEnabled) await expect(page.locator(".error-summary")).toBeFocused();
  await ready();
  if (javaScriptEnabled) await expectNoAxeViolations(page, "date of birth with an error");
  else await auditWithoutPageScripts(browser, baseURL!, "/id-card/eligibility/date-of-birth", "en");

  // Arabic-Indic digits are accepted.
  await page.getByLabel("Day").fill("٢٧");
  await page.getByLabel("Month").fill("٣");
  await page.getByLabel("Year").fill("1990");
  await next();
  await expect(page).toHaveURL(/residence-visa$/);
  await expect(page.getByText("Step 2 of 5")).toBeVisible();

  // No choice made.
  await ready();
  await next();
  await expect(page.locator(".error-summary")).toContainText("Select yes if you have a valid residence visa");
  await page.getByLabel("Yes").check();
  await next();

  await expect(page).toHaveURL(/passport$/);
  await ready();
  await page.getByLabel("Yes").check();
  await next();

  await expect(page).toHaveURL(/proof-of-address$/);
  await ready();
  await page.getByLabel("No").check();
  await next();

  // Back goes to the previous question, with its answer.
  await expect(page).toHaveURL(/employer-letter$/);
  await ready();
  await page.getByRole("link", { name: "Back" }).click();
  await expect(page).toHaveURL(/proof-of-address$/);
  await expect(page.getByLabel("No")).toBeChecked();
  await ready();
  await next();
  await expect(page).toHaveURL(/employer-letter$/);
  await ready();
  await page.getByLabel("Yes").check();
  await next();

  // Check your answers, then change one: back to the check page afterwards.
  await expect(page).toHaveURL(/\/check$/);
  await expect(page.locator(".summary-list")).toContainText("27/3/1990");
  await ready();
  await page.getByRole("link", { name: "Change Valid passport" }).click();
  await expect(page).toHaveURL(/passport$/);
  await expect(page.getByLabel("Yes")).toBeChecked();
  await ready();
  await page.getByLabel("No").check();
  await next();
  await expect(page).toHaveURL(/\/check$/);

  // The answers are on the server: a new tab of the same browser finds them.
  const other = await context.newPage();
  await other.goto("/id-card/eligibility/check");
  await expect(other.locator(".summary-list")).toContainText("27/3/1990");
  await other.close();

  await page.getByRole("link", { name: "See if you can apply" }).click();
  await expect(page).toHaveURL(/\/result$/);
  await expect(page.locator("h1")).toHaveText("You cannot apply yet");
  await expect(page.locator("main")).toContainText("Renew your passport");
  await expect(page.locator("main")).toContainText("Get an electricity or water bill");
  await expect(page.locator("main")).not.toContainText("You must be 18 or over");
});

test("another visitor never sees someone else's answers", async ({ browser, baseURL, javaScriptEnabled }) => {
  const first = await browser.newContext({ javaScriptEnabled });
  await useLocale(first, baseURL!, "en");
  const page = await first.newPage();
  await page.goto("/id-card/eligibility/date-of-birth");
  if (javaScriptEnabled) await waitForHydration(page);
  await page.getByLabel("Day").fill("12");
  await page.getByLabel("Month").fill("6");
  await page.getByLabel("Year").fill("1985");
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page).toHaveURL(/residence-visa$/);

  const second = await browser.newContext({ javaScriptEnabled });
  await useLocale(second, baseURL!, "en");
  const stranger = await second.newPage();
  await stranger.goto("/id-card/eligibility/date-of-birth");
  await expect(stranger.getByLabel("Year")).toHaveValue("");
  await first.close();
  await second.close();
});

test("an unknown question is a 404", async ({ page }) => {
  const res = await page.goto("/id-card/eligibility/favourite-colour");
  expect(res?.status()).toBe(404);
});

// With JavaScript, an answer given while the phone has no connection is not lost: it stays on
// screen, is kept in the browser, and is sent by itself when the connection returns (the
// `online` event) or, if the page was closed meanwhile, on the next visit. Without JavaScript
// the browser's own error page keeps the form, so there is nothing of ours to test.
const unsentKeys = (page: import("@playwright/test").Page) =>
  page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("bawaba.unsent:")));

test("an answer given offline is kept and sent when the connection returns", async ({
  page,
  context,
  baseURL,
  javaScriptEnabled,
}) => {
  test.skip(!javaScriptEnabled, "keeping unsent answers is a JavaScript enhancement");
  await useLocale(context, baseURL!, "en");
  await page.goto("/id-card/eligibility/date-of-birth");
  await waitForHydration(page);
  await page.getByLabel("Day").fill("27");
  await page.getByLabel("Month").fill("3");
  await page.getByLabel("Year").fill("1990");

  await context.setOffline(true);
  await page.getByRole("button", { name: "Continue" }).click();
  await expect(page.locator(".form-status")).toContainText("No connection: your answer has not been sent");
  await expect(page).toHaveURL(/date-of-birth$/);
  await expect(page.getByLabel("Day")).toHaveValue("27");
  expect(await unsentKeys(page)).toHaveLength(1);
  await expectNoAxeViolations(page, "an answer waiting for the connection");

  await context.setOffline(false);
  await expect(page).toHaveURL(/residence-visa$/);
  expect(await unsentKeys(page)).toHaveLength(0);
  // The server has it: Back shows the date.
  await waitForHydration(page);
  await page.getByRole("link", { name: "Back" }).click();
  await expect(page).toHaveURL(/date-of-birth$/);
  await expect(page.getByLabel("Year")).toHaveValue("1990");
});

test("an answer kept offline is sent on the next visit", async ({ page, context, baseURL, javaScriptEnabled }) => {
  test.skip(!javaScriptEnabled, "keeping unsent answers is a JavaScript enhancement");
  await useLocale(context, baseURL!, "fr");
  await page.goto("/id-card/eligibility/date-of-birth");
  await waitForHydration(page);
  await page.getByLabel("Jour").fill("٢٧");
  await page.getByLabel("Mois").fill("3");
  await page.getByLabel("Année").fill("1990");
  await context.setOffline(true);
  await page.getByRole("button", { name: "Continuer" }).click();
  await expect(page.locator(".form-status")).toContainText("Pas de connexion");
  await page.close();

  await context.setOffline(false);
  const later = await context.newPage();
  await later.goto("/id-card/eligibility/date-of-birth");
  await expect(later).toHaveURL(/residence-visa$/);
  expect(await unsentKeys(later)).toHaveLength(0);
});
