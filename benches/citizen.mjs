// A new citizen for the benchmarks' routes under an account: register, confirm the e-mail with
// the code read from the portal's mail files (BENCH_DATA_DIR: e-mails are written there as files
// when no SMTP server is configured), sign in. Returns the session's cookies (Playwright's form).
import fs from "node:fs";
import path from "node:path";

export async function signIn(browser, base) {
  const dir = process.env.BENCH_DATA_DIR;
  if (!dir) throw new Error("BENCH_DATA_DIR is needed for routes under an account");
  const context = await browser.newContext();
  const stamp = `${Date.now()}${Math.floor(Math.random() * 1000)}`;
  const email = `bench.${stamp}@example.dz`;
  const post = async (url, form) => {
    const res = await context.request.post(base + url, { form, maxRedirects: 0, headers: { accept: "text/html" } });
    if (res.status() < 300 || res.status() >= 400) throw new Error(`${url}: ${res.status()}`);
  };
  const answer = "/api/account/register/answer";
  await post(answer, { step: "about-you", full_name: "Amina Benali", dob_day: "27", dob_month: "3", dob_year: "1990", nationality: "12" });
  await post(answer, { step: "identity", identity_kind: "nin", identity_number: ("3" + stamp + "0".repeat(18)).slice(0, 18) });
  await post(answer, { step: "contact", email, mobile: "0555 12 34 56" });
  await post("/api/account/register/create", { password: "زيتون ميناء فانوس بحر", consent: "yes" });
  let code;
  for (let i = 0; i < 100 && !code; i++) {
    const mailDir = path.join(dir, "mail");
    for (const f of fs.existsSync(mailDir) ? fs.readdirSync(mailDir) : []) {
      const raw = fs.readFileSync(path.join(mailDir, f), "latin1");
      if (!raw.includes(email)) continue;
      // The text part is base64: decode it before looking for the code.
      const part = raw.split(/Content-Transfer-Encoding: base64\r?\n\r?\n/)[1]?.split("--")[0] ?? "";
      code = Buffer.from(part.replace(/\s+/g, ""), "base64").toString("utf8").match(/\b(\d{6})\b/)?.[1];
    }
    if (!code) await new Promise((r) => setTimeout(r, 200));
  }
  if (!code) throw new Error("no e-mail code arrived");
  await post("/api/account/verify-email/code", { code });
  await post("/api/account/sign-in", { identifier: email, password: "زيتون ميناء فانوس بحر", next: "" });
  const cookies = await context.cookies();
  await context.close();
  return cookies;
}
