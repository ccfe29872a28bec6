import { test, expect } from "@playwright/test";
import { expectNoAxeViolations, latestMailText, waitForHydration } from "./support";

// A new user, in Arabic, as the portal's typical visitor: creates an account, reads the code
// from the e-mail the portal delivered over SMTP, confirms, signs out and signs in again.
// Run with JavaScript on and off.
test("registering in Arabic, confirming the e-mail, signing out and in", async ({ page, javaScriptEnabled }, info) => {
  const ready = async () => {
    if (javaScriptEnabled) await waitForHydration(page);
  };
  const next = () => page.getByRole("button", { name: "متابعة" }).click();
  // Unique per run and per project: both projects share one server.
  const stamp = `${Date.now()}${info.project.name === "js-on" ? 1 : 2}`;
  const email = `amina.${stamp}@example.dz`;
  const nin = ("1" + stamp + "000000000000000000").slice(0, 18);
  const password = "زيتون ميناء فانوس بحر";

  await page.goto("/");
  await page.getByRole("link", { name: "تسجيل الدخول" }).click();
  await page.getByRole("link", { name: "أنشئ حسابًا" }).click();
  await expect(page.locator("h1")).toHaveText("إنشاء حساب");
  await page.getByRole("button", { name: "ابدأ" }).click();

  // Nothing typed: every problem in the summary and at its field, in Arabic.
  await expect(page).toHaveURL(/\/register\/about-you$/);
  await ready();
  await next();
  await expect(page.locator(".error-summary")).toContainText("أدخل اسمك الكامل");
  await expect(page.locator(".error-summary")).toContainText("اختر جنسيتك");
  await expect(page).toHaveTitle(/^خطأ:/);
  await ready();
  if (javaScriptEnabled) await expectNoAxeViolations(page, "about you, with errors");

  await page.getByLabel("الاسم الكامل").fill("أمينة بن علي");
  await page.getByLabel("اليوم").fill("٢٧");
  await page.getByLabel("الشهر").fill("٣");
  await page.getByLabel("السنة").fill("1990");
  await page.getByLabel("الجنسية").selectOption({ label: "الجزائر" });
  await next();

  await expect(page).toHaveURL(/\/register\/identity$/);
  await ready();
  await page.getByLabel("رقم التعريف الوطني الجزائري (NIN)").check();
  await page.getByLabel("رقم الهوية", { exact: true }).fill("12345");
  await next();
  await expect(page.locator(".error-summary")).toContainText("يتكون رقم التعريف الوطني من 18 رقمًا بالضبط");
  await ready();
  await page.getByLabel("رقم الهوية", { exact: true }).fill(nin);
  await next();

  await expect(page).toHaveURL(/\/register\/contact$/);
  await ready();
  await page.getByLabel("البريد الإلكتروني", { exact: true }).fill(email);
  await page.getByLabel("رقم الهاتف المحمول").fill("0555 12 34 56");
  await next();

  // Check your answers, then the password (never kept in a draft) and consent.
  await expect(page).toHaveURL(/\/register\/check$/);
  await expect(page.locator(".summary-list")).toContainText("أمينة بن علي");
  await expect(page.locator(".summary-list")).toContainText(email);
  await page.getByLabel("أنشئ كلمة مرور").fill(password);
  await page.getByLabel("أوافق على شروط الاستخدام وإشعار الخصوصية").check();
  const sentAfter = Date.now() - 1000;
  await page.getByRole("button", { name: "أنشئ حسابي" }).click();

  await expect(page).toHaveURL(/\/account\/verify-email$/);
  await expect(page.locator("h1")).toHaveText("أكّد بريدك الإلكتروني");
  await expect(page.locator("main")).toContainText(email);
  const mail = await latestMailText(email, sentAfter);
  expect(mail).toContain("لتأكيد بريدك الإلكتروني");
  const code = mail.match(/\b(\d{6})\b/)![1];
  await page.getByLabel("رمز التأكيد").fill(code);
  await page.getByRole("button", { name: "تأكيد", exact: true }).click();

  await expect(page).toHaveURL(/\/account\/verify-email\/done$/);
  await expect(page.locator("h1")).toHaveText("تم تأكيد بريدك الإلكتروني");
  await page.getByRole("link", { name: "حسابك" }).click();
  await expect(page.locator("h1")).toHaveText("حسابك");
  await expect(page.locator("main")).toContainText("أمينة بن علي");
  await expect(page.locator("main")).toContainText("مؤكَّد");

  await page.getByRole("button", { name: "تسجيل الخروج", exact: true }).click();
  await expect(page).toHaveURL(/\/signed-out$/);
  await expect(page.locator("h1")).toHaveText("لقد سجّلت الخروج");

  // Signing in with the identity number; a wrong password first.
  await page.getByRole("link", { name: "تسجيل الدخول" }).first().click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await page.getByLabel("البريد الإلكتروني أو رقم الهوية").fill(nin);
  await page.getByLabel("كلمة المرور", { exact: true }).fill("ليست كلمة المرور");
  await page.getByRole("button", { name: "تسجيل الدخول" }).click();
  await expect(page.locator(".error-summary")).toContainText("البريد الإلكتروني أو رقم الهوية أو كلمة المرور غير صحيح");
  await expect(page.getByLabel("البريد الإلكتروني أو رقم الهوية")).toHaveValue(nin);
  await page.getByLabel("كلمة المرور", { exact: true }).fill(password);
  await page.getByRole("button", { name: "تسجيل الدخول" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.locator("h1")).toHaveText("حسابك");
});
