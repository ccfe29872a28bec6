import { test, expect } from "@playwright/test";
import { base32Decode, expectNoAxeViolations, latestMailText, latestSmsCode, totp, waitForHydration } from "./support";

// A new user, in Arabic, as the portal's typical visitor: creates an account, reads the code
// from the e-mail the portal delivered over SMTP, confirms, signs out and signs in again.
// Run with JavaScript on and off.
test("registering in Arabic, confirming the e-mail, signing out and in", async ({ page, javaScriptEnabled }, info) => {
  // A whole account's life, and with JavaScript every signed-in page in three languages.
  test.setTimeout(180_000);
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
  const mail = await latestMailText(email, sentAfter, /\b\d{6}\b/);
  expect(mail).toContain("لتأكيد عنوان بريدك الإلكتروني");
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

  // Two-step sign-in with an authenticator app: the key under the QR code, the first code.
  await page.getByRole("link", { name: "التحقق بخطوتين" }).click();
  await expect(page.locator("h1")).toHaveText("التحقق بخطوتين");
  await page.getByRole("button", { name: "استخدام تطبيق مصادقة" }).click();
  await expect(page).toHaveURL(/\/account\/two-step\/app$/);
  await expect(page.getByRole("img", { name: "رمز QR لإضافة حساب بوابة إلى تطبيق المصادقة" })).toBeVisible();
  await ready();
  if (javaScriptEnabled) await expectNoAxeViolations(page, "authenticator set-up");
  const key = base32Decode(await page.locator(".secret-key").innerText());
  const firstStep = Math.floor(Date.now() / 1000 / 30);
  await page.getByLabel("الرمز من التطبيق (6 أرقام)").fill(totp(key, firstStep));
  await page.getByRole("button", { name: "تفعيل التحقق بخطوتين" }).click();
  await expect(page).toHaveURL(/\/account\/two-step\/codes$/);
  await expect(page.locator("h1")).toHaveText("احفظ رموز الاسترداد");
  const recovery = (await page.locator(".recovery-codes li").allInnerTexts()).map((c) => c.trim());
  expect(recovery).toHaveLength(10);
  await page.getByRole("button", { name: "حفظت الرموز" }).click();
  await expect(page.locator("main")).toContainText("التحقق بخطوتين مفعّل الآن");

  // Signing in now asks for the app's code after the password.
  await page.goto("/account");
  await page.getByRole("button", { name: "تسجيل الخروج", exact: true }).click();
  await page.goto("/sign-in");
  await page.getByLabel("البريد الإلكتروني أو رقم الهوية").fill(email);
  await page.getByLabel("كلمة المرور", { exact: true }).fill(password);
  await page.getByRole("button", { name: "تسجيل الدخول" }).click();
  await expect(page).toHaveURL(/\/sign-in\/second-step$/);
  await expect(page.locator("h1")).toHaveText("أدخل رمز التحقق");
  await ready();
  // The code of the step after the one used to turn it on (a code works once).
  await page.getByLabel("الرمز من التطبيق (6 أرقام)").fill(totp(key, firstStep + 1));
  await page.getByRole("button", { name: "تسجيل الدخول" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.locator("h1")).toHaveText("حسابك");

  // A forgotten password: the link by e-mail, a new password, every session ended.
  await page.getByRole("button", { name: "تسجيل الخروج", exact: true }).click();
  await page.goto("/sign-in");
  await page.getByRole("link", { name: "نسيت كلمة المرور؟" }).click();
  await expect(page.locator("h1")).toHaveText("نسيت كلمة المرور");
  await ready();
  await page.getByLabel("البريد الإلكتروني", { exact: true }).fill(email);
  const resetAfter = Date.now() - 1000;
  await page.getByRole("button", { name: "أرسل لي رابطًا" }).click();
  await expect(page.locator("h1")).toHaveText("تحقق من بريدك الإلكتروني");
  const resetLink = /https?:\/\/\S+\/reset-password\/[0-9a-f]{64}/;
  const resetMail = await latestMailText(email, resetAfter, resetLink);
  const link = resetMail.match(resetLink)![0];
  await page.goto(new URL(link).pathname);
  await expect(page.locator("h1")).toHaveText("اختر كلمة مرور جديدة");
  await ready();
  const newPassword = "نخلة واحة قافلة نجوم";
  await page.getByLabel("أنشئ كلمة مرور").fill(newPassword);
  await page.getByRole("button", { name: "احفظ كلمة المرور الجديدة" }).click();
  await expect(page.locator("h1")).toHaveText("تم تغيير كلمة المرور");

  // The new password, then a recovery code instead of the app (as after losing a phone).
  await page.goto("/sign-in");
  await page.getByLabel("البريد الإلكتروني أو رقم الهوية").fill(email);
  await page.getByLabel("كلمة المرور", { exact: true }).fill(newPassword);
  await page.getByRole("button", { name: "تسجيل الدخول" }).click();
  await expect(page).toHaveURL(/\/sign-in\/second-step$/);
  await ready();
  await page.getByLabel("الرمز من التطبيق (6 أرقام)").fill(recovery[0]);
  await page.getByRole("button", { name: "تسجيل الدخول" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.locator("main")).toContainText("أمينة بن علي");

  // The signed-in pages in every language pass axe (the anonymous ones are in pages.spec).
  if (javaScriptEnabled) {
    for (const locale of ["ar", "fr", "en"] as const) {
      await page.context().addCookies([{ name: "i18n_pref_locale", value: locale, url: new URL(page.url()).origin }]);
      for (const path of ["/account", "/account/two-step", "/account/activity", "/account/notifications", "/account/change-email", "/account/change-mobile"]) {
        await page.goto(path);
        await expect(page.locator("html")).toHaveAttribute("lang", locale);
        await ready();
        await expectNoAxeViolations(page, `${path} in ${locale}`);
      }
      const axe = async (what: string) => {
        await expect(page.locator("html")).toHaveAttribute("lang", locale);
        await ready();
        await expectNoAxeViolations(page, `${what} in ${locale}`);
      };
      // A form sent back with its problems.
      await page.goto("/account/change-email");
      await page.locator('form[action$="/account/change/start"] button').click();
      await expect(page.locator(".error-summary")).toBeVisible();
      await axe("change e-mail with errors");
      // A new mobile number: its code page, the code read from the SMS (a number per language).
      const mobile = `+9745512345${["ar", "fr", "en"].indexOf(locale)}`;
      await page.goto("/account/change-mobile");
      await page.locator('input[name="new"]').fill(mobile);
      await page.locator('form[action$="/account/change/start"] input[name=password]').fill(newPassword);
      await page.locator('form[action$="/account/change/start"] button').click();
      await expect(page).toHaveURL(/\/account\/change-mobile\/code$/);
      await axe("change mobile, code");
      const mobileCode = await latestSmsCode(page.request, mobile);
      await page.locator("#code").fill(mobileCode);
      await page.locator('form[action$="/account/change/confirm"] button').click();
      await expect(page).toHaveURL(/\/account\?changed=mobile$/);
      // The set-up pages, the recovery codes and the second sign-in page, in this language:
      // turn the step off, on by SMS, off, on with the app (a new key: its codes start afresh),
      // then sign out and in.
      const turnOff = async () => {
        await page.goto("/account/two-step");
        await page.locator('form[action$="/account/two-step/off"] input[name=password]').fill(newPassword);
        await page.locator('form[action$="/account/two-step/off"] button').click();
        await expect(page).toHaveURL(/\/account\/two-step\?off=1$/);
      };
      await turnOff();
      await page.locator('form[action$="/account/two-step/start"] button').last().click();
      await expect(page).toHaveURL(/\/account\/two-step\/sms$/);
      await axe("SMS set-up");
      await page.locator("#code").fill(await latestSmsCode(page.request, mobile, mobileCode));
      await page.locator('form[action$="/account/two-step/confirm"] button').click();
      await expect(page).toHaveURL(/\/account\/two-step\/codes$/);
      await page.locator('form[action$="/account/two-step/codes/done"] button').click();
      await turnOff();
      await page.locator('form[action$="/account/two-step/start"] button').first().click();
      await expect(page).toHaveURL(/\/account\/two-step\/app$/);
      await axe("authenticator set-up");
      const freshKey = base32Decode(await page.locator(".secret-key").innerText());
      await page.locator("#code").fill(totp(freshKey, Math.floor(Date.now() / 1000 / 30)));
      await page.locator('form[action$="/account/two-step/confirm"] button').click();
      await expect(page).toHaveURL(/\/account\/two-step\/codes$/);
      await axe("recovery codes");
      const fresh = (await page.locator(".recovery-codes li").allInnerTexts()).map((c) => c.trim());
      await page.locator('form[action$="/account/two-step/codes/done"] button').click();
      await page.goto("/account");
      await page.locator('form[action$="/account/sign-out"] button').click();
      await page.goto("/sign-in");
      await page.locator("#identifier").fill(email);
      await page.locator("#password").fill(newPassword);
      await page.locator('form[action$="/account/sign-in"] button').click();
      await expect(page).toHaveURL(/\/sign-in\/second-step$/);
      await axe("second sign-in step");
      await page.locator("#code").fill(fresh[0]);
      await page.locator('form[action$="/sign-in/second-step"] button').click();
      await expect(page).toHaveURL(/\/account$/);
    }
  }
});
