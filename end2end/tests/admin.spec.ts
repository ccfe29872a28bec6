import { test, expect, type Page } from "@playwright/test";
import { base32Decode, bawabaCommand, expectNoAxeViolations, latestMailText, payByCard, totp, waitForHydration } from "./support";

// An administrator's day, in Arabic on a phone, JavaScript on and off: made on the server with
// `bawaba admin create`, held until two-step sign-in is set up, then the payments report, a
// payment found by its receipt reference, a refund refused (too much) and made.

const PASSWORD = "أرز نهر فانوس سبعة";

/** `bawaba admin create` on the e2e server's data directory, the password on standard input. */
function createAdministrator(email: string, nin: string) {
  bawabaCommand(
    ["admin", "create", "--email", email, "--name", "Nadia Ferhat", "--identity-kind", "nin",
      "--identity-number", nin, "--date-of-birth", "1985-06-02", "--nationality", "12", "--mobile", "+213661234567"],
    `${PASSWORD}\n${PASSWORD}\n`,
  );
}

/** Signs in; an administrator is sent to set up the authenticator app first. */
async function signInAndSetUpTwoStep(page: Page, email: string) {
  await page.goto("/sign-in");
  await page.getByLabel("البريد الإلكتروني أو رقم الهوية").fill(email);
  await page.getByLabel("كلمة المرور", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "تسجيل الدخول" }).click();
  await expect(page).toHaveURL(/\/account\/two-step$/);
  await page.getByRole("button", { name: "استخدام تطبيق مصادقة" }).click();
  await expect(page).toHaveURL(/\/account\/two-step\/app$/);
  const key = base32Decode(await page.locator(".secret-key").innerText());
  await page.getByLabel("الرمز من التطبيق (6 أرقام)").fill(totp(key, Math.floor(Date.now() / 1000 / 30)));
  await page.getByRole("button", { name: "تفعيل التحقق بخطوتين" }).click();
  await expect(page).toHaveURL(/\/account\/two-step\/codes$/);
  await page.getByRole("button", { name: "حفظت الرموز" }).click();
}

test("an administrator finds a payment in the day's report and refunds part of it", async ({ page, javaScriptEnabled }, info) => {
  test.setTimeout(120_000);
  const ready = async () => {
    if (javaScriptEnabled) await waitForHydration(page);
  };
  const stamp = `${Date.now()}${info.project.name === "js-on" ? 1 : 2}`;
  const email = `nadia.${stamp}@example.dz`;
  createAdministrator(email, ("1" + stamp + "000000000000000000").slice(0, 18));
  await signInAndSetUpTwoStep(page, email);

  // A payment to reconcile: the administrator pays a test order (2 000 DZD) by card.
  await page.goto("/payments/demo");
  await ready();
  await page.getByRole("button", { name: "أنشئ طلباً تجريبياً" }).click();
  await page.getByRole("button", { name: /^ادفع/ }).click();
  await payByCard(page, "4111 1111 1111 1111");
  await expect(page.locator("h1")).toHaveText("تم استلام الدفع");
  const reference = (await page.locator("main").innerText()).match(/PAY-[0-9A-Z]{10}/)![0];

  // The report, reached from the account page.
  await page.goto("/account");
  await page.getByRole("link", { name: "تقرير المدفوعات" }).click();
  await expect(page.locator("h1")).toHaveText("تقرير المدفوعات");
  await expect(page.locator("#started")).toContainText("مدفوع");
  await expect(page.locator("#moved")).toContainText("DZD");
  await ready();
  if (javaScriptEnabled) await expectNoAxeViolations(page, "payments report");
  // The day's CSV carries the payment, in minor units.
  const csvHref = await page.getByRole("link", { name: "نزّل مدفوعات اليوم (CSV)" }).getAttribute("href");
  const csv = await (await page.request.get(csvHref!)).text();
  expect(csv).toContain(`${reference},`);
  expect(csv).toMatch(new RegExp(`${reference},[^\\r\\n]*,succeeded,demo,200000,0,DZD,card,visa`));

  // Found by its reference, typed in lower case as people do.
  await page.getByLabel("مرجع الدفع").fill(reference.toLowerCase());
  await page.getByRole("button", { name: "ابحث عن الدفع" }).click();
  await expect(page).toHaveURL(/\/admin\/payments\/[0-9a-f-]{36}$/);
  await expect(page.locator("h1")).toContainText(reference);
  await ready();
  if (javaScriptEnabled) await expectNoAxeViolations(page, "payment record");

  // More than was paid: refused by the field and in the summary, the reason kept.
  await page.getByLabel("المبلغ المراد استرداده").fill("٣٠٠٠");
  await page.getByLabel("السبب", { exact: true }).fill("دفع مكرر");
  await page.getByRole("button", { name: "استرد المبلغ" }).click();
  await expect(page.locator(".error-summary")).toContainText("المبلغ أكبر من المتبقي للاسترداد");
  await expect(page.locator("#amount-error")).toContainText("المبلغ أكبر من المتبقي للاسترداد");
  await expect(page.getByLabel("السبب", { exact: true })).toHaveValue("دفع مكرر");
  await ready();
  if (javaScriptEnabled) await expectNoAxeViolations(page, "refund form with an error");

  // 500 DZD back: done, in the history, and the payer (here the administrator) is told.
  const mailAfter = Date.now() - 1000;
  await page.getByLabel("المبلغ المراد استرداده").fill("500");
  await page.getByRole("button", { name: "استرد المبلغ" }).click();
  await expect(page.locator(".panel--success")).toContainText("تم الاسترداد");
  await expect(page.locator("#history")).toContainText("دفع مكرر");
  await expect(page.locator("main")).toContainText("1\u202F500");
  const mail = await latestMailText(email, mailAfter, /دفع مكرر/);
  expect(mail).toContain(reference);
  expect(mail).toContain("500");
});
