import { defineConfig } from "@playwright/test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

// Debian's Chromium (never a downloaded browser), with the flags this network needs.
const chromium = {
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
  ],
};

export const launchOptions = () => chromium;

export const PORT = Number(process.env.E2E_PORT ?? 3210);
/** The SMTP server the portal delivers to in these tests (real SMTP on loopback). */
export const SMTP_PORT = Number(process.env.E2E_SMTP_PORT ?? 3225);
// Where that server writes what it receives. Set once here, in the main process, so the
// workers (which inherit the environment) read the same directory.
process.env.E2E_MAIL_DIR ??= mkdtempSync(path.join(tmpdir(), "bawaba-e2e-mail-"));
// The portal's data directory: the administration tests create an administrator in it with
// `bawaba admin create`, as an operator does on a server.
process.env.E2E_DATA_DIR ??= mkdtempSync(path.join(tmpdir(), "bawaba-e2e-data-"));

export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    launchOptions: chromium,
    viewport: { width: 360, height: 740 },
    // A typical visitor: a phone set to Arabic (Algeria). Tests of other languages say so.
    locale: "ar-DZ",
    trace: "off",
  },
  projects: [
    { name: "js-on", use: { javaScriptEnabled: true } },
    { name: "js-off", use: { javaScriptEnabled: false } },
  ],
  webServer: [
    {
      command: `node end2end/support/smtp-sink.mjs ${SMTP_PORT} ${process.env.E2E_MAIL_DIR}`,
      cwd: "..",
      port: SMTP_PORT,
      timeout: 30_000,
      reuseExistingServer: false,
    },
    // The portal as `make run` serves it, on a throwaway database, sending e-mail to the sink.
    {
      command: `bash end2end/serve.sh ${PORT}`,
      cwd: "..",
      url: `http://127.0.0.1:${PORT}/readyz`,
      env: { BAWABA_SMTP_URL: `smtp://127.0.0.1:${SMTP_PORT}`, BAWABA_DATA_DIR: process.env.E2E_DATA_DIR },
      timeout: 120_000,
      reuseExistingServer: false,
      stdout: "ignore",
      stderr: "pipe",
    },
  ],
});
