import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { fileURLToPath } from "node:url";
import { defineConfig, defineProject } from "vitest/config";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Test files that must have storage of their own (see below). */
const ISOLATED = [
  "test/jobs/**/*.test.ts",
  "test/earning/**/*.test.ts",
  "test/storage/**/*.test.ts",
  "test/connect/**/*.test.ts",
  "test/dev/**/*.test.ts",
  "test/kounta-api/**/*.test.ts",
  "test/kounta/redeem.internal-errors.test.ts",
  "test/kounta/redeem.percent-off.test.ts",
  "test/kounta/redeem.unknown-outcome.test.ts",
  "test/loyalty/search-reindex.test.ts",
  "test/loyalty/search-index.test.ts",
  "test/loyalty/stats/overview.backfill.test.ts",
  "test/operations.test.ts",
  "test/health.test.ts",
];

async function workersProject(name: string, files: { include: string[]; exclude?: string[]; isolate?: boolean }) {
  return defineProject({
    root,
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          // Test values of the Worker secrets (never .dev.vars, which CI does not have).
          bindings: {
            ENVIRONMENT: "test",
            KOUNTA_ADDON_KEY: "test-addon-key-current",
            KOUNTA_ADDON_KEY_PREVIOUS: "test-addon-key-previous",
            REDEEM_SIGNING_KEY: "test-redeem-signing-key-0123456789abcdef",
            KOUNTA_CLIENT_ID: "test-client-id",
            KOUNTA_CLIENT_SECRET: "test-client-secret",
            // Two keys: the first encrypts, both decrypt (rotation).
            TOKEN_ENCRYPTION_KEYS: "test-2:wjJujHEtgGZrst3O+eH3MKbutmIVuKOyd9HRtlyQnqc=,test-1:A8m0f3lZ5Q2k1cJ9vX7yR4tB6nH0pD2sE8uW1qL3gKo=",
            PUBLIC_BASE_URL: "",
            TEST_MIGRATIONS: await readD1Migrations(fileURLToPath(new URL("../migrations", import.meta.url))),
          },
        },
      }),
    ],
    test: {
      name,
      include: files.include,
      exclude: files.exclude ?? [],
      isolate: files.isolate ?? true,
      setupFiles: ["./test/setup.ts"],
      // Nothing here depends on the machine's speed: a loaded machine (CI, a build beside it) must
      // not fail a test by vitest's 5 s default. Heavy tests say their own, longer, limit.
      testTimeout: 30_000,
      hookTimeout: 60_000,
      // The Kounta stand-in over real HTTP (its URL provided as kountaNetworkUrl): test/global-setup.ts.
      globalSetup: ["./test/global-setup.ts"],
    },
  });
}

export default defineConfig(async () => ({
  root,
  test: {
    // Request log lines only for failing tests.
    silent: "passed-only" as const,
    // Two files at once (vitest would take one on two cores): most of a file's time is spent waiting on
    // workerd (D1, the queue, the stand-in), not on the CPU. About 215 s instead of 340 s on 2 cores.
    maxWorkers: 2,
    projects: [
      // Inside the Workers runtime, against real local D1 and KV. Files that run a cross-company job
      // (settling, catch-up, expiry, reindexing), rewrite tables (migrations) or need the Node
      // stand-in stay isolated: storage of their own per file. The rest seed their own company and
      // read nothing else, so they share workers across files (faster start, same assertions).
      await workersProject("workers", { include: ISOLATED }),
      await workersProject("workers-shared", { include: ["test/**/*.test.ts"], exclude: ["test/node/**", ...ISOLATED], isolate: false }),
      // What needs Node: validating the OpenAPI document with a JSON-schema validator (it compiles
      // code at run time, which the Workers runtime forbids).
      defineProject({
        root,
        test: { name: "node", include: ["test/node/**/*.test.ts"], environment: "node", testTimeout: 30_000 },
      }),
    ],
  },
}));
