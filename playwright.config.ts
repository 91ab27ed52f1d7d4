// End-to-end checks in a real browser (`npm run test:e2e`, also the last step of `npm test`):
// test/e2e/*.spec.ts against the Worker served by `wrangler dev`, in Debian's Chromium
// (/usr/bin/chromium: `apt-get install -y chromium`; Playwright's own browser download is not used).
//
// The Worker and the Kounta stand-in get free ports and a local state folder of their own (seeded
// with the demo data, removed afterwards), so a run needs no `npm run dev` nor .dev.vars, and does
// not touch the developer's .wrangler/state.
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
process.env.E2E_KOUNTA_PORT ??= String(await freePort());
process.env.E2E_STATE_DIR ??= mkdtempSync(path.join(tmpdir(), "kounta-loyalty-e2e-"));
const PORT = Number(process.env.E2E_PORT);
const BASE_URL = `http://127.0.0.1:${PORT}`;

// The pinned Node 22 of the `node` devDependency, which wrangler needs, even when Playwright was
// started by another Node.
const NODE = path.join(ROOT, "node_modules", ".bin", "node");

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
  // One at a time: the dashboard's tests change the demo company's data, and read it back.
  workers: 1,
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
    // The overview against the untouched seed first; then the rest, on a phone and on a desktop.
    {
      name: "overview",
      testMatch: "dashboard-overview.spec.ts",
      use: { ...devices["Desktop Chrome"], viewport: { width: 1280, height: 800 }, launchOptions: chromium },
    },
    {
      name: "phone",
      testIgnore: "dashboard-overview.spec.ts",
      dependencies: ["overview"],
      use: { ...devices["Pixel 7"], browserName: "chromium", launchOptions: chromium },
    },
    {
      name: "desktop",
      testIgnore: "dashboard-overview.spec.ts",
      dependencies: ["overview"],
      use: { ...devices["Desktop Chrome"], viewport: { width: 1280, height: 800 }, launchOptions: chromium },
    },
  ],
  webServer: {
    // A clean local state, the demo seed, the Kounta stand-in and wrangler dev: scripts/e2e-server.ts.
    command: `${JSON.stringify(NODE)} scripts/e2e-server.ts`,
    cwd: ROOT,
    url: `${BASE_URL}/health`,
    env: { WRANGLER_SEND_METRICS: "false" },
    reuseExistingServer: false,
    timeout: 180_000,
    stdout: "ignore",
    stderr: "pipe",
    gracefulShutdown: { signal: "SIGTERM", timeout: 5_000 },
  },
});
