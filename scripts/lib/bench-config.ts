// The benchmark's fixed settings (scripts/bench.ts): where the Worker and the Kounta stand-in listen,
// the demo company it asks for, the Worker's secrets, where results go and the targets.

import path from "node:path";
import { ROOT } from "./wrangler.ts";

export const HOST = "127.0.0.1";
export const PORT = 8797;
export const COMPANY = "456";
export const SITE = "123";
/** The demo company's phone country code (scripts/lib/seed-sql.ts). */
export const COUNTRY_CODE = "61";
export const ADDON_KEY = "bench-addon-key-123";
export const BENCH_VARS = {
  KOUNTA_ADDON_KEY: ADDON_KEY,
  REDEEM_SIGNING_KEY: "bench-signing-key-0123456789abcdefghij",
  // The OAuth client the local Kounta stand-in knows (its default: dev/kounta-stand-in/state.ts).
  KOUNTA_CLIENT_ID: "local-dev-client-id",
  KOUNTA_CLIENT_SECRET: "local-dev-client-secret",
  // The local key the seed encrypts the demo company's Kounta tokens with (.dev.vars.example).
  TOKEN_ENCRYPTION_KEYS: "local-1:cjXFEE8h2zJt9Qb1mObUpAQ220oRwLyZ9GOcFVp6J9M=",
};
export const KOUNTA_PORT = 8788;
// Wrangler's local trace store, on by default in `wrangler dev`, writes every span of every request
// into a SQLite file on the Worker's thread (here about 0.4 ms per /health and 0.6 ms per search)
// and grows without bound (over 1 GB after a few runs). Production has nothing like it: off here.
export const NO_LOCAL_TRACES = { X_LOCAL_OBSERVABILITY: "false" };
export const RESULTS_DIR = path.join(ROOT, ".bench");

/**
 * The targets. The headline ratios are throughput within the same interleaved rounds: search against
 * /ready (the same one D1 round trip with nothing to read: the floor of any D1 read on this machine),
 * warm lookup against /health (no D1 at all). The latency model's (--far-primary): search and cold
 * lookup p50 with replicas, and the redemption's round trips to the primary (two batches today).
 */
export const TARGETS = {
  searchVsReady: 0.9,
  warmVsHealth: 0.9,
  overviewRowsRead: 1000,
  modelP50Ms: 30,
  redemptionPrimaryTrips: 2,
};

/** The dashboard's overview page (src/dashboard/pages/overview.tsx). */
export const OVERVIEW_PATH = "/dashboard";
/** The dashboard's session cookie (src/connect/sign-in.ts). */
export const SESSION_COOKIE = "loyalty_session";
/** Ledger rows of history per synthetic member, spread over the last 365 days. */
export const HISTORY_ROWS_PER_MEMBER = 3;
/** Synthetic members per history statement (one `wrangler d1 execute` file holds them all). */
export const HISTORY_MEMBERS_PER_STATEMENT = 25_000;

/** The expiry warnings measurement (scripts/lib/bench-warnings.ts): the synthetic company's expiry policy. */
export const WARNINGS_EXPIRY_MONTHS = 12;
/** New earn lots on each of the two days (a day's sales). */
export const WARNINGS_LOTS_PER_DAY = 2000;
/** Synthetic members who agreed to emails, in percent (pk % 100 below it). */
export const WARNINGS_CONSENT_PERCENT = 40;
