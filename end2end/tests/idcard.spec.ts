import { test, expect, type Page } from "@playwright/test";
import { expectNoAxeViolations, useLocale, waitForHydration, signedInCitizen, auditWithoutPageScripts, LOCALES, scanPng } from "./support";

// The resident ID card application (issue 21), in Arabic at 360 px, with JavaScript on and off:
// from the eligibility result into the request, then every section of the task list, with a
// refused answer on the way (kept, with its message next to the field and in the summary).

const continueAr = async (page: Page) => page.getByRole("button", { name: "متابعة" }).click();

test("an eligible resident applies: request, then every section of the task list", async ({
  page,
  context,
  browser,
  baseURL,
  javaScriptEnabled,
}, info) => {
  // The whole journey, then an audit of every new page in three languages.
  test.setTimeout(240_000);
  await useLocale(context, baseURL!, "en");
  // The tag keeps the identity number digits only (and apart from the other project's).
  await signedInCitizen(page, info.project.name === "js-on" ? "91" : "92");
  await useLocale(context, baseURL!, "ar");
  const ready = async () => {
    if (javaScriptEnabled) await waitForHydration(page);
  };
  const audit = async (label: string) => {
    if (javaScriptEnabled) await expectNoAxeViolations(page, label);
    else await auditWithoutPageScripts(browser, baseURL!, new URL(page.url()).pathname, "ar");
  };

  // Eligibility: the date of birth and four yes.
  await page.goto("/id-card/eligibility/date-of-birth");
  await ready();
  await page.getByLabel("اليوم").fill("٢٧");
  await page.getByLabel("الشهر").fill("3");
  await page.getByLabel("السنة").fill("1990");
  await continueAr(page);
  for (const step of ["residence-visa", "passport", "proof-of-address", "employer-letter"]) {
    await expect(page).toHaveURL(new RegExp(`${step}$`));
    await ready();
    await page.getByLabel("نعم").check();
    await continueAr(page);
  }
  await expect(page).toHaveURL(/\/check$/);
  await page.goto("/id-card/eligibility/result");
  await page.getByRole("button", { name: "ابدأ طلبك" }).click();

  // The request.
  await expect(page).toHaveURL(/\/id-card\/apply$/);
  await ready();
  await audit("the request page");
  await page.getByRole("button", { name: "ابدأ الطلب" }).click();
  await expect(page.locator(".error-summary")).toContainText("اختر ما تحتاجه");
  await ready();
  await page.getByLabel("بطاقة جديدة").check();
  await page.getByRole("button", { name: "ابدأ الطلب" }).click();
  await expect(page).toHaveURL(/\/id-card\/applications\/[0-9a-f-]{36}$/);
  const base = new URL(page.url()).pathname;
  await expect(page.locator("h1")).toHaveText("طلب بطاقة الهوية الخاص بك");
  await expect(page.locator(".task-list")).toContainText("لا يمكن البدء بعد");
  await ready();
  await audit("the task list");

  // Personal details: the names (a Latin name in the Arabic field is refused), then the
  // nationality and sex; the date of birth given in the eligibility check is not asked again.
  await page.getByRole("link", { name: "البيانات الشخصية" }).click();
  await expect(page).toHaveURL(new RegExp(`${base}/names$`));
  await ready();
  await page.getByLabel("الاسم الكامل بالعربية").fill("Amina");
  await page.getByLabel("الاسم الكامل بالحروف اللاتينية").fill("Amina Ben Ali");
  await continueAr(page);
  await expect(page.locator(".error-summary")).toContainText("أدخل اسمك بالحروف العربية");
  await expect(page.locator(".field__error")).toContainText("أدخل اسمك بالحروف العربية");
  await expect(page.getByLabel("الاسم الكامل بالحروف اللاتينية")).toHaveValue("Amina Ben Ali");
  await expect(page).toHaveTitle(/^خطأ/);
  await ready();
  await audit("the names page with an error");
  await page.getByLabel("الاسم الكامل بالعربية").fill("أمينة بن علي");
  await continueAr(page);
  await expect(page).toHaveURL(new RegExp(`${base}/nationality$`));
  await ready();
  await audit("the nationality page");
  await page.getByLabel("الجنسية", { exact: true }).selectOption("12");
  await page.getByLabel("أنثى").check();
  await continueAr(page);
  await expect(page).toHaveURL(new RegExp(`${base}$`));

  // The passport: one expiring in five months is refused, before any upload.
  await page.getByRole("link", { name: "جواز السفر" }).click();
  await ready();
  await expect(page.locator("#passport_expiry-hint")).toContainText("يجب أن يظل ساريًا في");
  const soon = new Date(Date.now() + 150 * 86_400_000);
  await page.getByLabel("رقم جواز السفر").fill("N1234567");
  await page.getByLabel("الدولة التي أصدرت جواز السفر").selectOption("12");
  await page.getByLabel("اليوم").fill(String(soon.getUTCDate()));
  await page.getByLabel("الشهر").fill(String(soon.getUTCMonth() + 1));
  await page.getByLabel("السنة").fill(String(soon.getUTCFullYear()));
  await continueAr(page);
  await expect(page.locator(".error-summary")).toContainText("ينتهي جواز سفرك قريبًا جدًا");
  await expect(page.getByLabel("رقم جواز السفر")).toHaveValue("N1234567");
  await ready();
  await audit("the passport page with an error");
  await page.getByLabel("السنة").fill(String(soon.getUTCFullYear() + 5));
  await continueAr(page);
  await expect(page).toHaveURL(new RegExp(`${base}$`));

  await page.getByRole("link", { name: "تصريح الإقامة" }).click();
  await ready();
  await page.getByLabel("رقم تصريح الإقامة").fill("28801234567");
  await page.getByLabel("اليوم").fill("1");
  await page.getByLabel("الشهر").fill("1");
  await page.getByLabel("السنة").fill("2034");
  await continueAr(page);
  await expect(page).toHaveURL(new RegExp(`${base}$`));

  // The address: letters in the zone number are refused.
  await page.getByRole("link", { name: "العنوان في قطر" }).click();
  await ready();
  await page.getByLabel("رقم المنطقة").fill("5a");
  await page.getByLabel("رقم الشارع").fill("950");
  await page.getByLabel("رقم المبنى").fill("12");
  await continueAr(page);
  await expect(page.locator(".error-summary")).toContainText("أدخل رقم المنطقة بالأرقام فقط");
  await expect(page.getByLabel("رقم الشارع")).toHaveValue("950");
  await ready();
  await audit("the address page with an error");
  await page.getByLabel("رقم المنطقة").fill("٥٦");
  await continueAr(page);
  await expect(page).toHaveURL(new RegExp(`${base}$`));

  await page.getByRole("link", { name: "جهة العمل" }).click();
  await ready();
  await page.getByLabel("اسم جهة العمل").fill("الخطوط الجوية القطرية");
  await page.getByLabel("رقم المنشأة").fill("12-345678");
  await continueAr(page);
  await expect(page).toHaveURL(new RegExp(`${base}$`));

  // Delivery, now that the address is known: by post shows its fee and the address.
  await page.getByRole("link", { name: "استلام البطاقة" }).click();
  await ready();
  await expect(page.locator("main")).toContainText("ر.ق");
  await expect(page.locator("main")).toContainText("950");
  await audit("the delivery page");
  await page.getByLabel("بالبريد إلى عنوانك في قطر").check();
  await continueAr(page);
  await expect(page).toHaveURL(new RegExp(`${base}$`));
  await expect(page.locator("#documents-status")).toHaveText("لم يبدأ");

  // Documents: a dark scan is kept with what to do about it, then replaced by a good one.
  await page.getByRole("link", { name: "المستندات" }).click();
  await expect(page).toHaveURL(new RegExp(`${base}/documents$`));
  await ready();
  await audit("the documents page");
  const dark = scanPng(1200, 1500, 30, 5);
  const good = scanPng(1200, 1500, 235, 20);
  const uploadTo = async (kind: string, name: string, buffer: Buffer) => {
    const section = page.locator(`section#${kind}`);
    await section.locator('input[type="file"]').setInputFiles({ name, mimeType: "image/png", buffer });
    await section.getByRole("button", { name: /^تحميل/ }).click();
    await expect(page).toHaveURL(new RegExp(`${base}/documents#${kind}$`));
  };
  await uploadTo("passport", "passport.png", dark);
  await expect(page.locator("section#passport")).toContainText("الصورة داكنة جدًا: التقطها مجددًا مقابل نافذة");
  await ready();
  await audit("a document the pre-check refused");
  await page.locator("section#passport").getByRole("button", { name: /^حذف/ }).click();
  await expect(page.locator("section#passport")).not.toContainText("الصورة داكنة جدًا");
  await ready();
  await uploadTo("passport", "passport.png", good);
  await expect(page.locator("section#passport")).toContainText("تم الفحص: مقروء");
  for (const kind of ["residence_permit", "proof_of_address"]) {
    await ready();
    await uploadTo(kind, `${kind}.png`, good);
  }
  // With JavaScript, a slow upload shows how much has been sent.
  await ready();
  if (javaScriptEnabled) {
    const cdp = await context.newCDPSession(page);
    await cdp.send("Network.emulateNetworkConditions", {
      offline: false,
      latency: 50,
      downloadThroughput: 1_000_000,
      uploadThroughput: 10_000,
    });
    const section = page.locator("section#employer_letter");
    await section.locator('input[type="file"]').setInputFiles({ name: "letter.png", mimeType: "image/png", buffer: good });
    await section.getByRole("button", { name: /^تحميل/ }).click();
    await expect(page.locator(".upload-progress__bar")).toBeVisible();
    await expect(page.locator(".upload-progress .form-status")).toContainText("جارٍ التحميل");
    await expect(page).toHaveURL(new RegExp(`${base}/documents#employer_letter$`));
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  } else {
    await uploadTo("employer_letter", "letter.png", good);
  }
  await expect(page.locator("section#employer_letter")).toContainText("تم الفحص: مقروء");
  await ready();
  await uploadTo("photo", "photo.png", scanPng(700, 900, 200, 40));
  await expect(page.locator("section#photo")).toContainText("تم الفحص: مقروء");
  // A program given a picture's name is refused, next to its document and in the summary.
  await ready();
  const exe = Buffer.concat([Buffer.from("MZ"), Buffer.alloc(2000, 0x90)]);
  await page.locator("section#employer_letter input[type=file]").setInputFiles({ name: "letter.jpg", mimeType: "image/jpeg", buffer: exe });
  await page.locator("section#employer_letter").getByRole("button", { name: /^تحميل/ }).click();
  await expect(page.locator(".error-summary")).toContainText("يجب أن يكون الملف PDF أو JPEG أو PNG");
  await expect(page.locator("section#employer_letter .field__error")).toBeVisible();

  await page.getByRole("link", { name: "رجوع" }).click();
  await expect(page).toHaveURL(new RegExp(`${base}$`));
  await expect(page.locator("main")).toContainText("اكتملت جميع الأقسام");
  await expect(page.locator(".task-list")).not.toContainText("لم يبدأ");
  await ready();
  await audit("the completed task list");

  // Every new page in the three languages.
  if (javaScriptEnabled) {
    for (const locale of LOCALES) {
      await useLocale(context, baseURL!, locale);
      for (const path of ["", "/names", "/passport", "/residence", "/address", "/employer", "/delivery", "/request", "/loss", "/documents"]) {
        await page.goto(`${base}${path}`);
        await waitForHydration(page);
        await expectNoAxeViolations(page, `${base}${path} (${locale})`);
      }
    }
  }
});

test("an answer typed while offline in the application is kept and sent on reconnection", async ({
  page,
  context,
  baseURL,
  javaScriptEnabled,
}) => {
  test.skip(!javaScriptEnabled, "keeping unsent answers is a JavaScript enhancement");
  await useLocale(context, baseURL!, "fr");
  await signedInCitizen(page, "93");
  await page.goto("/id-card/apply");
  await page.getByLabel("Le remplacement d'une carte perdue ou volée").check();
  await page.getByRole("button", { name: "Commencer la demande" }).click();
  await expect(page).toHaveURL(/\/id-card\/applications\/[0-9a-f-]{36}$/);
  const base = new URL(page.url()).pathname;
  await expect(page.locator(".task-list")).toContainText("Déclaration de perte");
  await page.getByRole("link", { name: "Employeur" }).click();
  await waitForHydration(page);
  await page.getByLabel("Nom de l'employeur").fill("Qatar Airways");
  // The connection drops mid-section.
  await context.setOffline(true);
  await page.getByLabel("Numéro d'établissement").fill("12345678");
  await page.getByRole("button", { name: "Continuer" }).click();
  await expect(page.locator(".form-status")).toContainText("Pas de connexion");
  await expect(page).toHaveURL(new RegExp(`${base}/employer$`));
  await expect(page.getByLabel("Numéro d'établissement")).toHaveValue("12345678");
  await context.setOffline(false);
  await expect(page).toHaveURL(new RegExp(`${base}$`));
  await expect(page.locator("#employer-status")).toHaveText("Terminé");
});
