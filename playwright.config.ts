// End-to-end checks in a real browser (`npm run test:e2e`, also the last step of `npm test`):
// test/e2e/*.spec.ts against the Worker served by `wrangler dev`, in Debian's Chromium
// (/usr/bin/chromium: `apt-get install -y chromium`; Playwright's own browser download is not used).
//
// The Worker gets a free port and a local state folder of its own (removed afterwards), so a run
// needs no `npm run dev` nor .dev.vars, and does not touch the developer's .wrangler/state.
import { defineConfig, devices } from "@playwright/test";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.dirname(fileURLToPath(import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

// This file is read again by each test worker: the port and folder chosen first are passed down.
process.env.E2E_PORT ??= String(await freePort());
process.env.E2E_INSPECTOR_PORT ??= String(await freePort());
process.env.E2E_STATE_DIR ??= mkdtempSync(path.join(tmpdir(), "kounta-loyalty-e2e-"));
const PORT = Number(process.env.E2E_PORT);
const BASE_URL = `http://127.0.0.1:${PORT}`;

// The pinned Node 22 of the `node` devDependency, which wrangler needs, even when Playwright was
// started by another Node.
const NODE = path.join(ROOT, "node_modules", ".bin", "node");
const WRANGLER = path.join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");

const chromium = {
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  // As root, without a sandbox; no background connections (this machine's network is closed).
  args: [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
};

export default defineConfig({
  testDir: "test/e2e",
  testMatch: "**/*.spec.ts",
  outputDir: "test-results",
  fullyParallel: true,
  forbidOnly: !!process.env.CI,
  retries: 0,
  workers: 2,
  timeout: 30_000,
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never", outputFolder: "playwright-report" }]],
  globalTeardown: "./test/e2e/global-teardown.ts",
  use: {
    baseURL: BASE_URL,
    browserName: "chromium",
    launchOptions: chromium,
    trace: "retain-on-failure",
  },
  projects: [
    { name: "phone", use: { ...devices["Pixel 7"], browserName: "chromium", launchOptions: chromium } },
    { name: "desktop", use: { ...devices["Desktop Chrome"], viewport: { width: 1280, height: 800 }, launchOptions: chromium } },
  ],
  webServer: {
    command: [
      JSON.stringify(NODE),
      JSON.stringify(WRANGLER),
      "dev",
      "--ip 127.0.0.1",
      `--port ${PORT}`,
      `--inspector-port ${process.env.E2E_INSPECTOR_PORT}`,
      `--persist-to ${JSON.stringify(process.env.E2E_STATE_DIR)}`,
      "--show-interactive-dev-session=false",
      "--log-level warn",
    ].join(" "),
    cwd: ROOT,
    url: `${BASE_URL}/health`,
    env: { WRANGLER_SEND_METRICS: "false" },
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "ignore",
    stderr: "pipe",
    gracefulShutdown: { signal: "SIGTERM", timeout: 5_000 },
  },
});
