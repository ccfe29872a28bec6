import { test, expect, type Page } from "@playwright/test";
import { createPublicKey, verify } from "node:crypto";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { expectNoAxeViolations, expectNoHorizontalScroll, useLocale, waitForHydration, signedInCitizen, auditWithoutPageScripts, LOCALES, scanPng, payByCard, latestMailText, mailAttachment, bawabaCommand, fillShamal } from "./support";

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
  test.setTimeout(420_000);
  await useLocale(context, baseURL!, "en");
  // The tag keeps the identity number digits only (and apart from the other project's).
  const email = await signedInCitizen(page, info.project.name === "js-on" ? "91" : "92");
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
  await expect(page.locator(".task-list")).not.toContainText("لا يمكن البدء بعد");
  await expect(page.locator("#check-status")).toHaveText("لم يبدأ");
  await ready();
  await audit("the completed task list");

  // Every page of the form in the three languages, while the answers can still change.
  if (javaScriptEnabled) {
    for (const locale of LOCALES) {
      await useLocale(context, baseURL!, locale);
      for (const path of ["", "/names", "/passport", "/residence", "/address", "/employer", "/delivery", "/request", "/loss", "/documents", "/check"]) {
        await page.goto(`${base}${path}`);
        await waitForHydration(page);
        await expectNoAxeViolations(page, `${base}${path} (${locale})`);
      }
    }
    await useLocale(context, baseURL!, "ar");
    await page.goto(base);
  }

  // Check the answers, make the declaration, submit.
  await page.getByRole("button", { name: "راجع إجاباتك وقدّم الطلب" }).click();
  await expect(page).toHaveURL(new RegExp(`${base}/check$`));
  await expect(page.locator("main")).toContainText("أمينة بن علي");
  await expect(page.locator("main")).toContainText("الخطوط الجوية القطرية");
  await expectNoHorizontalScroll(page, "the check page");
  await ready();
  await audit("the check page");
  await page.getByRole("button", { name: "قدّم الطلب" }).click();
  await expect(page.locator(".error-summary")).toContainText("أكّد الإقرار لتقديم طلبك");
  await expect(page.locator("#declaration-error")).toBeVisible();
  await ready();
  await audit("the check page with an error");
  await page.getByLabel(/أقرّ بأن المعلومات/).check();
  await page.getByRole("button", { name: "قدّم الطلب" }).click();

  // The fee, by sandbox card.
  await expect(page).toHaveURL(new RegExp(`${base}/pay$`));
  await expect(page.locator("main")).toContainText("ر.ق");
  await ready();
  await audit("the pay page");
  await page.getByLabel("عبر الإنترنت الآن، ببطاقة مصرفية").check();
  await continueAr(page);
  await expect(page).toHaveURL(/\/sandbox-pay\/pay\//);
  await payByCard(page, "4111 1111 1111 1111");

  // The application's page: submitted and paid, each with its date, the stages ahead with
  // their target dates, and the predicted completion.
  await expect(page).toHaveURL(new RegExp(`${base}$`));
  const timeline = page.locator(".timeline");
  await expect(timeline).toContainText("تقديم الطلب");
  await expect(timeline).toContainText("دفع الرسوم عبر الإنترنت");
  await expect(timeline.locator(".timeline__item--done .timeline__date").first()).toContainText(/\d{4}/);
  await expect(timeline).toContainText("التاريخ المستهدف");
  await expect(page.locator("main")).toContainText("تاريخ الإنجاز المتوقع");
  await expect(page.locator("main")).toContainText("بانتظار الموعد");
  await expectNoHorizontalScroll(page, "the application's progress");
  await ready();
  await audit("the application's progress");
  const reference = (await page.locator(".summary-list bdi").first().innerText()).trim();
  expect(reference).toMatch(/^ID-[0-9A-Z]{10}$/);
  // The application's own message (the payment's receipt is another).
  const mail = await latestMailText(email, 0, new RegExp(`استلمنا دفعتك البالغة .* عن الطلب ${reference}`));
  expect(mail).toContain(reference);
  expect(mail).toContain(base);

  await page.goto("/id-card/applications");
  await expect(page.locator(".application-list")).toContainText(reference);
  await ready();
  await audit("the list of applications");
  if (javaScriptEnabled) {
    for (const locale of LOCALES) {
      await useLocale(context, baseURL!, locale);
      for (const path of [base, `${base}/check`, "/id-card/applications"]) {
        await page.goto(path);
        await waitForHydration(page);
        await expectNoAxeViolations(page, `${path} (${locale})`);
      }
    }
  }

  // The appointment (issue 22): a centre, a day of the calendar, a time; then moved, then
  // cancelled, the place given back at once.
  await useLocale(context, baseURL!, "ar");
  await page.goto(base);
  await page.getByRole("button", { name: "حجز موعد" }).click();
  await expect(page).toHaveURL(new RegExp(`${base}/appointment$`));
  await ready();
  await audit("the centres");
  const nearest = page.getByRole("button", { name: "اعرض أقرب المراكز أولًا" });
  if (javaScriptEnabled) {
    // With JavaScript the steps load in place: this mark on the page would not survive a
    // reload, and it is checked once the appointment is booked.
    await page.evaluate(() => ((window as unknown as { stepsKept: boolean }).stepsKept = true));
    // Nearest first, from the position the browser shares (Al Wakrah's corniche).
    await context.setGeolocation({ latitude: 25.1689, longitude: 51.6047 });
    await context.grantPermissions(["geolocation"]);
    await nearest.click();
    await expect(page).toHaveURL(/\/appointment\?near=25\.17%2C51\.60$/);
    await expect(page.locator("#centre-order")).toContainText("الأقرب أولًا");
    await expect(page.locator("input[name=centre]").first()).toHaveAttribute("value", "WAK");
    await expect(page.locator("main")).toContainText("على بُعد 1 كم تقريبًا");
    await expect(nearest).toBeHidden();
    await audit("the centres, nearest first");
  } else {
    // The browser's position needs JavaScript: without it the offer is not shown.
    await expect(nearest).toBeHidden();
  }
  await page.getByLabel("مركز خدمات الوكرة", { exact: true }).check();
  await continueAr(page);
  await expect(page).toHaveURL(/\/appointment\?centre=WAK$/);
  await expect(page.locator(".calendar th").first()).toHaveText("الأحد");
  await expectNoHorizontalScroll(page, "the calendar");
  await ready();
  await audit("the calendar");
  const lastOpenDay = page.locator(".calendar__day--open a").last();
  await lastOpenDay.click();
  await expect(page).toHaveURL(/day=\d{4}-\d{2}-\d{2}$/);
  const day = new URL(page.url()).searchParams.get("day")!;
  await expect(page.locator(".times")).toBeVisible();
  if (javaScriptEnabled) {
    // The new step is announced: focus is on its heading. Back and Forward walk the steps.
    await expect(page.locator("h1")).toBeFocused();
    await page.goBack();
    await expect(page).toHaveURL(/\/appointment\?centre=WAK$/);
    await expect(page.locator(".calendar")).toBeVisible();
    await page.goForward();
    await expect(page).toHaveURL(/day=\d{4}-\d{2}-\d{2}$/);
    await expect(page.locator(".times")).toBeVisible();
  }
  await expectNoHorizontalScroll(page, "the times");
  await ready();
  await audit("the times");
  const book = page.getByRole("button", { name: "احجز هذا الموعد" });
  await book.click();
  await expect(page.locator(".error-summary")).toContainText("اختر وقتًا");
  if (javaScriptEnabled) await expect(page.locator(".error-summary")).toBeFocused();
  await ready();
  await page.getByLabel("09:15", { exact: true }).check();
  await book.click();
  await expect(page).toHaveURL(new RegExp(`${base}/appointment\\?done=booked$`));
  await expect(page.locator("main")).toContainText("تم حجز موعدك");
  if (javaScriptEnabled) {
    expect(await page.evaluate(() => (window as unknown as { stepsKept?: boolean }).stepsKept)).toBe(true);
    await expect(page).toHaveTitle(/موعدك/);
  }
  await expect(page.locator("#appointment")).toContainText("مركز خدمات الوكرة");
  await expect(page.locator("#appointment .summary-list bdi")).toHaveText("09:15");
  await expectNoHorizontalScroll(page, "the booked appointment");
  await ready();
  await audit("the booked appointment");
  const booked = await latestMailText(email, 0, /موعدك: مركز خدمات الوكرة/);
  expect(booked).toContain("09:15");

  // The slip, e-mailed as a PDF with a calendar file: its text names the centre, the time and
  // the application; its QR code, read from the printed page as an officer's phone reads it,
  // carries a seal that verifies with the portal's published keys.
  const slipName = `appointment-${reference}.pdf`;
  const slip = info.outputPath(slipName);
  writeFileSync(slip, await mailAttachment(email, slipName));
  const slipText = execFileSync("pdftotext", [slip, "-"]).toString();
  for (const expected of ["مركز خدمات الوكرة", "09:15", reference, "جواز سفرك"]) expect(slipText).toContain(expected);
  const [y, m, d] = day.split("-").map(Number);
  const monthsAr = ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"];
  expect(slipText).toContain(monthsAr[m - 1]);
  expect(slipText).toContain(String(y));
  expect(slipText).toContain(String(d));
  execFileSync("pdftoppm", ["-png", "-r", "150", "-singlefile", slip, info.outputPath("slip-qr")]);
  const scanned = execFileSync("zbarimg", ["--quiet", "--raw", info.outputPath("slip-qr.png")], { stdio: ["ignore", "pipe", "ignore"] }).toString().trim();
  expect(scanned).toMatch(new RegExp(`^BA1\\.${reference}\\.WAK\\.\\d+\\.\\d+\\.[0-9A-Z]{10}\\.[A-Za-z0-9_-]{86}$`));
  const signed = scanned.slice(0, scanned.lastIndexOf("."));
  const signature = Buffer.from(scanned.slice(signed.length + 1), "base64url");
  const fields = signed.split(".");
  expect(new Date(Number(fields[3]) * 1000).toISOString()).toBe(`${day}T06:15:00.000Z`);
  const keys = (await (await page.request.get("/.well-known/jwks.json")).json()).keys as { kid: string; x: string }[];
  const jwk = keys.find((k) => k.kid === fields[5])!;
  const publicKey = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: jwk.x }, format: "jwk" });
  expect(verify(null, Buffer.from(signed), publicKey, signature)).toBe(true);
  expect(verify(null, Buffer.from(signed.replace(".WAK.", ".DOH.")), publicKey, signature)).toBe(false);
  const ics = (await mailAttachment(email, `appointment-${reference}.ics`)).toString("utf8");
  expect(ics).toContain(`DTSTART;TZID=Asia/Qatar:${day.replaceAll("-", "")}T091500\r\n`);
  expect(ics).toContain("TZOFFSETTO:+0300");
  // The same slip from the appointment page.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "نزّل إشعار موعدك (PDF)" }).click(),
  ]);
  expect(download.suggestedFilename()).toBe(slipName);
  await download.saveAs(info.outputPath("downloaded-slip.pdf"));
  expect(readFileSync(info.outputPath("downloaded-slip.pdf")).subarray(0, 5).toString()).toBe("%PDF-");

  await page.getByRole("link", { name: "تغيير اليوم أو الوقت" }).click();
  await lastOpenDay.click();
  await ready();
  await page.getByLabel("10:00", { exact: true }).check();
  await book.click();
  await expect(page).toHaveURL(/done=booked$/);
  await expect(page.locator("#appointment .summary-list bdi")).toHaveText("10:00");
  if (javaScriptEnabled) {
    // The booked appointment (slip links, "I will come") in the three languages.
    for (const locale of LOCALES) {
      await useLocale(context, baseURL!, locale);
      await page.goto(`${base}/appointment`);
      await waitForHydration(page);
      await expectNoAxeViolations(page, `the booked appointment (${locale})`);
    }
    await useLocale(context, baseURL!, "ar");
    await page.goto(`${base}/appointment`);
  }
  await page.getByRole("button", { name: "سأحضر" }).click();
  await expect(page).toHaveURL(/done=confirmed$/);
  await expect(page.locator("#confirm")).toContainText("لقد أكدت أنك ستحضر");
  await page.goto(base);
  await expect(page.locator(".timeline")).toContainText("نقل الموعد");
  await page.getByRole("link", { name: "عرض موعدك أو تغييره أو إلغاؤه" }).click();
  await page.getByRole("button", { name: "إلغاء هذا الموعد" }).click();
  await expect(page).toHaveURL(/done=cancelled$/);
  await expect(page.locator("main")).toContainText("تم إلغاء موعدك");
  await page.goto(base);
  await expect(page.locator("main")).toContainText("بانتظار الموعد");
  if (javaScriptEnabled) {
    const appointment = `${base}/appointment`;
    for (const locale of LOCALES) {
      await useLocale(context, baseURL!, locale);
      for (const path of [appointment, `${appointment}?near=25.17,51.60`, `${appointment}?centre=DOH`, `${appointment}?centre=DOH&problem=weekend`]) {
        await page.goto(path);
        await waitForHydration(page);
        await expectNoAxeViolations(page, `${path} (${locale})`);
      }
      await page.goto(`${appointment}?centre=DOH`);
      await page.locator(".calendar__day--open a").first().click();
      await waitForHydration(page);
      await expectNoAxeViolations(page, `the times (${locale})`);
    }
    await useLocale(context, baseURL!, "ar");
  }

  // The waiting list: every time of Al Shamal's last day is taken by others; Amina waits for
  // that day; a new counter opens there and its first place is offered to her, and accepted.
  await page.goto(`${base}/appointment?centre=SHM`);
  const shamalDay = new URL(await page.locator(".calendar__day--open a").last().getAttribute("href")!, baseURL).searchParams.get("day")!;
  fillShamal(shamalDay);
  await page.reload();
  await expect(page.locator(".calendar__day--open a").last()).not.toHaveAttribute("href", new RegExp(`day=${shamalDay}$`));
  await ready();
  await page.getByRole("link", { name: "لا يناسبك أي يوم أو وقت؟ سجّل في قائمة الانتظار" }).click();
  await expect(page).toHaveURL(new RegExp(`${base}/appointment/waitlist\\?centre=SHM$`));
  await expect(page.locator("main")).toContainText("ساعتين");
  await expectNoHorizontalScroll(page, "the waiting list");
  await ready();
  await audit("the waiting list");
  const from = page.getByLabel("من", { exact: true });
  const to = page.getByLabel("إلى", { exact: true });
  // A range the wrong way round is refused next to its field, the days chosen kept.
  await from.selectOption(shamalDay);
  await to.selectOption({ index: 1 });
  await page.getByRole("button", { name: "التسجيل في قائمة الانتظار" }).click();
  await expect(page.locator(".error-summary")).toContainText("يجب أن يكون آخر يوم");
  await expect(page.locator("#last_day-error")).toBeVisible();
  await expect(from).toHaveValue(shamalDay);
  await ready();
  await audit("the waiting list with an error");
  await to.selectOption(shamalDay);
  await page.getByRole("button", { name: "التسجيل في قائمة الانتظار" }).click();
  await expect(page).toHaveURL(new RegExp(`${base}/appointment\\?done=waiting$`));
  await expect(page.locator("#waitlist")).toContainText("مركز خدمات الشمال");
  await ready();
  await audit("waiting");
  if (javaScriptEnabled) {
    for (const locale of LOCALES) {
      await useLocale(context, baseURL!, locale);
      for (const path of [`${base}/appointment`, `${base}/appointment/waitlist?centre=SHM`]) {
        await page.goto(path);
        await waitForHydration(page);
        await expectNoAxeViolations(page, `${path} while waiting (${locale})`);
      }
    }
    await useLocale(context, baseURL!, "ar");
  }
  const beforeOffer = Date.now() - 1000;
  // The command offers the new places at once (or the server's own job, if it ran first).
  expect(bawabaCommand(["centres", "counters", "SHM", "2"])).toContain("SHM has 2 counter(s)");
  const offerMail = await latestMailText(email, beforeOffer, /شغر مكان في مركز خدمات الشمال/);
  const offerLink = offerMail.match(/https?:\/\/\S+#offer/)![0];
  await page.goto(new URL(offerLink).pathname + "#offer");
  const offer = page.locator("#offer");
  await expect(offer).toContainText("شغر مكان من أجلك");
  const offeredTime = (await offer.locator(".summary-list bdi").innerText()).trim();
  expect(offerMail).toContain(offeredTime);
  await expectNoHorizontalScroll(page, "the offer");
  await ready();
  await audit("the offer");
  if (javaScriptEnabled) {
    for (const locale of LOCALES) {
      await useLocale(context, baseURL!, locale);
      await page.goto(`${base}/appointment`);
      await waitForHydration(page);
      await expectNoAxeViolations(page, `the offer (${locale})`);
    }
    await useLocale(context, baseURL!, "ar");
    await page.goto(`${base}/appointment`);
  }
  await page.getByRole("button", { name: "حجز هذا الموعد" }).click();
  await expect(page).toHaveURL(new RegExp(`${base}/appointment\\?done=booked$`));
  await expect(page.locator("#appointment")).toContainText("مركز خدمات الشمال");
  await expect(page.locator("#appointment .summary-list bdi")).toHaveText(offeredTime);
  bawabaCommand(["centres", "counters", "SHM", "1"]);
});

test("en français, une carte perdue : la demande, la déclaration de perte, l'envoi et le paiement", async ({
  page,
  context,
  browser,
  baseURL,
  javaScriptEnabled,
}, info) => {
  test.setTimeout(180_000);
  await useLocale(context, baseURL!, "en");
  const email = await signedInCitizen(page, info.project.name === "js-on" ? "94" : "95");
  await useLocale(context, baseURL!, "fr");
  const ready = async () => {
    if (javaScriptEnabled) await waitForHydration(page);
  };
  const audit = async (label: string) => {
    if (javaScriptEnabled) await expectNoAxeViolations(page, label);
    else await auditWithoutPageScripts(browser, baseURL!, new URL(page.url()).pathname, "fr");
  };
  const next = async () => page.getByRole("button", { name: "Continuer" }).click();
  await page.goto("/id-card/apply");
  await ready();
  await page.getByLabel("Le remplacement d'une carte perdue ou volée").check();
  await page.getByRole("button", { name: "Commencer la demande" }).click();
  await expect(page).toHaveURL(/\/id-card\/applications\/[0-9a-f-]{36}$/);
  const base = new URL(page.url()).pathname;
  const section = async (name: string) => {
    await page.getByRole("link", { name, exact: true }).click();
    await ready();
  };

  await section("Informations personnelles");
  await page.getByLabel("Nom complet en arabe").fill("أمينة بن علي");
  await page.getByLabel("Nom complet en lettres latines").fill("Amina Ben Ali");
  await next();
  await expect(page).toHaveURL(new RegExp(`${base}/nationality$`));
  await ready();
  await page.getByLabel("Nationalité", { exact: true }).selectOption("12");
  await page.getByLabel("Femme").check();
  await next();
  await expect(page).toHaveURL(new RegExp(`${base}$`));

  await section("Passeport");
  await page.getByLabel("Numéro de passeport").fill("N1234567");
  await page.getByLabel("Pays qui a délivré le passeport").selectOption("12");
  await page.getByLabel("Jour", { exact: true }).fill("1");
  await page.getByLabel("Mois", { exact: true }).fill("1");
  await page.getByLabel("Année", { exact: true }).fill("2035");
  await next();
  await expect(page).toHaveURL(new RegExp(`${base}$`));

  await section("Permis de séjour");
  await page.getByLabel("Numéro du permis de séjour").fill("28801234567");
  await page.getByLabel("Jour", { exact: true }).fill("1");
  await page.getByLabel("Mois", { exact: true }).fill("1");
  await page.getByLabel("Année", { exact: true }).fill("2034");
  await next();
  await expect(page).toHaveURL(new RegExp(`${base}$`));

  await section("Adresse au Qatar");
  await page.getByLabel("Numéro de zone").fill("56");
  await page.getByLabel("Numéro de rue").fill("950");
  await page.getByLabel("Numéro d'immeuble").fill("12");
  await next();
  await expect(page).toHaveURL(new RegExp(`${base}$`));

  await section("Employeur");
  await page.getByLabel("Nom de l'employeur").fill("Qatar Airways");
  await page.getByLabel("Numéro d'établissement").fill("12345678");
  await next();
  await expect(page).toHaveURL(new RegExp(`${base}$`));

  // The loss: a date in the future is refused, the place is kept.
  await section("Déclaration de perte");
  const tomorrow = new Date(Date.now() + 2 * 86_400_000);
  await page.getByLabel("Jour", { exact: true }).fill(String(tomorrow.getUTCDate()));
  await page.getByLabel("Mois", { exact: true }).fill(String(tomorrow.getUTCMonth() + 1));
  await page.getByLabel("Année", { exact: true }).fill(String(tomorrow.getUTCFullYear()));
  await page.getByLabel("Où l'avez-vous perdue ?").fill("Souq Waqif");
  await next();
  await expect(page.locator(".error-summary")).toBeVisible();
  await expect(page.getByLabel("Où l'avez-vous perdue ?")).toHaveValue("Souq Waqif");
  await ready();
  await page.getByLabel("Jour", { exact: true }).fill("20");
  await page.getByLabel("Mois", { exact: true }).fill("11");
  await page.getByLabel("Année", { exact: true }).fill("2026");
  await next();
  await expect(page).toHaveURL(new RegExp(`${base}$`));

  await section("Réception de la carte");
  await page.getByLabel("Le retirer au centre de services").check();
  await next();
  await expect(page).toHaveURL(new RegExp(`${base}$`));

  await section("Documents");
  const good = scanPng(1200, 1500, 235, 20);
  for (const kind of ["passport", "residence_permit", "proof_of_address", "employer_letter", "loss_declaration", "photo"]) {
    const buffer = kind === "photo" ? scanPng(700, 900, 200, 40) : good;
    const part = page.locator(`section#${kind}`);
    await part.locator('input[type="file"]').setInputFiles({ name: `${kind}.png`, mimeType: "image/png", buffer });
    await part.getByRole("button", { name: /^Envoyer/ }).click();
    await expect(page).toHaveURL(new RegExp(`${base}/documents#${kind}$`));
    await expect(page.locator(`section#${kind}`)).toContainText("Vérifié");
    await ready();
  }
  await page.goto(base);
  await ready();
  await page.getByRole("button", { name: "Vérifier vos réponses et envoyer" }).click();
  await expect(page).toHaveURL(new RegExp(`${base}/check$`));
  await expect(page.locator("main")).toContainText("Souq Waqif");
  await ready();
  await audit("la page de vérification");
  await page.getByLabel(/Je déclare que les informations/).check();
  await page.getByRole("button", { name: "Envoyer la demande" }).click();
  await expect(page).toHaveURL(new RegExp(`${base}/pay$`));
  await expect(page.locator("main")).toContainText("Remplacement d'une carte perdue");
  await ready();
  await page.getByLabel("En ligne maintenant, par carte bancaire").check();
  await next();
  await expect(page).toHaveURL(/\/sandbox-pay\/pay\//);
  await page.getByLabel("Numéro de carte").fill("4111 1111 1111 1111");
  await page.getByLabel("Date d’expiration").fill("12/30");
  await page.getByLabel("Cryptogramme (CVV2)").fill("123");
  await page.getByLabel("Nom du titulaire").fill("AMINA BENALI");
  await page.getByRole("button", { name: "Continuer" }).click();
  await page.getByLabel("Code à usage unique (6 chiffres)").fill("123456");
  await page.getByRole("button", { name: "Confirmer le paiement" }).click();

  await expect(page).toHaveURL(new RegExp(`${base}$`));
  const timeline = page.locator(".timeline");
  await expect(timeline).toContainText("Demande envoyée");
  await expect(timeline).toContainText("Frais payés en ligne");
  await expect(timeline).toContainText("Date prévue");
  await expect(page.locator("main")).toContainText("Fin prévue");
  await ready();
  await audit("le suivi de la demande");
  const mail = await latestMailText(email, 0, /Nous avons reçu votre paiement de .* pour la demande ID-/);
  expect(mail).toContain(base);
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
