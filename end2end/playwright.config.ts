import { defineConfig } from "@playwright/test";

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
  // The portal as `make run` serves it, on a throwaway database.
  webServer: {
    command: `bash end2end/serve.sh ${PORT}`,
    cwd: "..",
    url: `http://127.0.0.1:${PORT}/readyz`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: "ignore",
    stderr: "pipe",
  },
});
