import { test, expect, type Page } from "@playwright/test";
import { enterCode, expectNoAxeViolations, latestMailText, payByCard, signedInCitizen, waitForHydration } from "./support";

// Paying a test order through the sandbox gateway in Arabic, as a citizen on a phone does:
// by card with the one-time code, by e-payment app, by bank account; a declined card and the
// way to try again; the back button after paying. Run with JavaScript on and off.

/** From the demo page to the sandbox gateway's page. */
async function startTestOrder(page: Page, javaScriptEnabled: boolean) {
  await page.goto("/payments/demo");
  if (javaScriptEnabled) await waitForHydration(page);
  await page.getByRole("button", { name: "أنشئ طلباً تجريبياً" }).click();
  await expect(page).toHaveURL(/\/payments\/order\//);
  await expect(page.locator("h1")).toHaveText("الدفع");
  if (javaScriptEnabled) await expectNoAxeViolations(page, "order page");
  await page.getByRole("button", { name: /^ادفع/ }).click();
  await expect(page).toHaveURL(/\/sandbox-pay\/pay\//);
  await expect(page.locator("html")).toHaveAttribute("dir", "rtl");
  await expect(page.locator(".order")).toContainText("2\u202F000");
  if (javaScriptEnabled) await expectNoAxeViolations(page, "sandbox card page");
}

async function expectReceipt(page: Page, method: RegExp) {
  await expect(page).toHaveURL(/\/payments\/[0-9a-f-]{36}$/);
  await expect(page.locator("h1")).toHaveText("تم استلام الدفع");
  await expect(page.locator("main")).toContainText(/PAY-[0-9A-Z]{10}/);
  await expect(page.locator("main")).toContainText(method);
}

test("paying a test order by card with the one-time code, then the back button", async ({ page, javaScriptEnabled }, info) => {
  test.setTimeout(120_000);
  const email = await signedInCitizen(page, info.project.name === "js-on" ? "1" : "2");
  await startTestOrder(page, javaScriptEnabled);
  const mailAfter = Date.now() - 1000;
  await payByCard(page, "4111 1111 1111 1111");
  await expectReceipt(page, /بطاقة بنكية Visa/);
  await expect(page.locator("main")).toContainText("•••• 1111");
  if (javaScriptEnabled) await expectNoAxeViolations(page, "receipt");
  const receiptUrl = page.url();
  const reference = (await page.locator("main").innerText()).match(/PAY-[0-9A-Z]{10}/)![0];

  // The receipt arrives by e-mail, in Arabic.
  const mail = await latestMailText(email, mailAfter, new RegExp(reference));
  expect(mail).toContain("إيصال");

  // Back, back, back: the gateway's pages say the payment is over, the order says it is paid;
  // nothing leads to a second payment.
  for (let i = 0; i < 3 && !/\/payments\/order\//.test(page.url()); i++) {
    await page.goBack();
  }
  await expect(page).toHaveURL(/\/payments\/order\//);
  const pay = page.getByRole("button", { name: /^ادفع/ });
  if (await pay.isVisible()) {
    // The page as the browser kept it: pressing Pay again shows the receipt.
    await pay.click();
    await expect(page).toHaveURL(receiptUrl);
  } else {
    await expect(page.locator("main")).toContainText("تم دفع هذا الطلب");
  }
});

test("paying by e-payment app and by bank account", async ({ page, javaScriptEnabled }, info) => {
  test.setTimeout(120_000);
  await signedInCitizen(page, info.project.name === "js-on" ? "3" : "4");
  await startTestOrder(page, javaScriptEnabled);
  await page.getByRole("link", { name: "تطبيق الدفع الإلكتروني" }).click();
  await page.getByLabel("رقم الهاتف المرتبط بالتطبيق").fill("+213 550 00 00 01");
  await page.getByRole("button", { name: "متابعة" }).click();
  await enterCode(page);
  await expectReceipt(page, /تطبيق الدفع الإلكتروني/);

  await startTestOrder(page, javaScriptEnabled);
  await page.getByRole("link", { name: "حساب بنكي" }).click();
  // A typo in the key is caught on the gateway's page, next to the field.
  await page.getByLabel("رقم الحساب (RIB)").fill("007 99999 0000000001 35");
  await page.getByRole("button", { name: "متابعة" }).click();
  await expect(page.locator(".error-summary")).toContainText("مفتاح الحساب غير مطابق");
  await expect(page).toHaveTitle(/^خطأ:/);
  if (javaScriptEnabled) await expectNoAxeViolations(page, "sandbox account page with an error");
  await page.getByLabel("رقم الحساب (RIB)").fill("007 99999 0000000001 34");
  await page.getByRole("button", { name: "متابعة" }).click();
  await enterCode(page);
  await expectReceipt(page, /حساب بنكي/);
});

test("a declined card is told clearly and the user tries again", async ({ page, javaScriptEnabled }, info) => {
  test.setTimeout(120_000);
  await signedInCitizen(page, info.project.name === "js-on" ? "5" : "6");
  await startTestOrder(page, javaScriptEnabled);
  await payByCard(page, "4000 0000 0000 0002");
  await expect(page.locator("h1")).toHaveText("لم يتم الدفع");
  await expect(page.locator("main")).toContainText("رفض البنك الدفع");
  await expect(page.locator("main")).toContainText("لم يُقتطع أي مبلغ");
  if (javaScriptEnabled) await expectNoAxeViolations(page, "declined payment");
  await page.getByRole("button", { name: /^أعد المحاولة وادفع/ }).click();
  await expect(page).toHaveURL(/\/sandbox-pay\/pay\//);
  await payByCard(page, "6280 5800 0000 0009");
  await expectReceipt(page, /بطاقة بنكية Edahabia/);
});
