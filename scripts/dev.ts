// `npm run dev`: everything a developer needs to try the Worker locally, offline.
//   1. .dev.vars from .dev.vars.example when missing (local secrets; git-ignored)
//   2. `wrangler d1 migrations apply DB --local` (non-interactive)
//   3. the demo seed (idempotent: scripts/seed.ts)
//   4. the local Kounta stand-in (dev/kounta-stand-in, served from Node by its node-server.ts, where
//      its network faults are real) on http://localhost:8788, wrangler.toml's KOUNTA_API_BASE_URL in
//      development
//   5. `wrangler dev --port 8787`, its output shown; Ctrl-C stops everything
// Extra arguments go to `wrangler dev` (e.g. `npm run dev -- --persist-to /tmp/state`, also used by
// the migrations and the seed).

import type { ChildProcess } from "node:child_process";
import { createHmac } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, openSync, readFileSync } from "node:fs";
import path from "node:path";
import { startKountaStandIn, waitForKountaStandIn } from "./lib/kounta-stand-in.ts";
import { applyMigrations, ROOT, runScript, startWrangler } from "./lib/wrangler.ts";

const PORT = 8787;
const BASE = `http://localhost:${PORT}`;
const KOUNTA_PORT = 8788;
const KOUNTA_BASE = `http://localhost:${KOUNTA_PORT}`;

function step(message: string): void {
  console.log(`\n▶ ${message}`);
}

/** The settings of a .dev.vars-style file (KEY=value lines; quotes around a value dropped). */
function readVars(file: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const line of readFileSync(file, "utf8").split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (match) vars.set(match[1]!, match[2]!.replace(/^(["'])(.*)\1$/, "$2"));
  }
  return vars;
}

function varNames(file: string): Set<string> {
  return new Set(readVars(file).keys());
}

function ensureDevVars(): void {
  const devVars = path.join(ROOT, ".dev.vars");
  const example = path.join(ROOT, ".dev.vars.example");
  if (!existsSync(devVars)) {
    copyFileSync(example, devVars);
    console.log("Created .dev.vars from .dev.vars.example (local secrets, git-ignored; add-on key `local-dev-key`).");
    return;
  }
  // An older .dev.vars may lack settings added to the example since: the Worker would answer 500.
  const missing = [...varNames(example)].filter((name) => !varNames(devVars).has(name));
  if (missing.length > 0) {
    console.warn(
      `Warning: .dev.vars has no ${missing.join(", ")} (listed in .dev.vars.example). ` +
        "Copy the missing lines over, or delete .dev.vars to have it recreated.",
    );
  }
}

async function waitUntilReady(child: ChildProcess, url = `${BASE}/health`, timeoutMs = 120_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return false;
}

async function main(): Promise<void> {
  const wranglerArgs = process.argv.slice(2);
  const persistAt = wranglerArgs.findIndex((a) => a === "--persist-to" || a.startsWith("--persist-to="));
  const persistTo =
    persistAt < 0 ? undefined : wranglerArgs[persistAt]!.includes("=") ? wranglerArgs[persistAt]!.split("=")[1] : wranglerArgs[persistAt + 1];
  const seedArgs = persistTo ? ["--persist-to", persistTo] : [];

  step("Local secrets");
  ensureDevVars();

  step("Migrations (local D1)");
  await applyMigrations(persistTo);

  step("Demo data");
  await runScript("seed.ts", seedArgs);

  const children: ChildProcess[] = [];

  step(`Kounta stand-in (Node, on ${KOUNTA_BASE}; its log: .wrangler/kounta-stand-in.log)`);
  mkdirSync(path.join(ROOT, ".wrangler"), { recursive: true });
  const standInLog = openSync(path.join(ROOT, ".wrangler", "kounta-stand-in.log"), "w");
  const standIn = startKountaStandIn({ port: KOUNTA_PORT, stdio: ["ignore", standInLog, standInLog] });
  children.push(standIn);
  if (!(await waitForKountaStandIn(standIn, KOUNTA_BASE))) {
    for (const child of children) child.kill("SIGTERM");
    throw new Error(`the Kounta stand-in did not start on ${KOUNTA_BASE}: see .wrangler/kounta-stand-in.log`);
  }

  step(`Worker (wrangler dev on ${BASE})`);
  const worker = startWrangler(["dev", "--port", String(PORT), ...wranglerArgs], {
    stdio: ["inherit", "inherit", "inherit"],
  });
  children.push(worker);

  let stopping = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGHUP", () => shutdown("SIGTERM"));
  // `npm run dev` killed with SIGTERM does not pass the signal on through its shell: when our
  // parent goes away, stop the Worker rather than leave it holding the port.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) shutdown("SIGTERM");
  }, 1000).unref();

  worker.on("exit", (code, signal) => {
    shutdown("SIGTERM");
    process.exit(code ?? (signal ? 0 : 1));
  });

  if (await waitUntilReady(worker)) {
    const addonKey = readVars(path.join(ROOT, ".dev.vars")).get("KOUNTA_ADDON_KEY") || "local-dev-key";
    const key = encodeURIComponent(addonKey);
    // Demo Café's own key, as src/kounta/addon-key.ts derives it: what a merchant is shown.
    const companyKey = `456.${createHmac("sha256", addonKey).update("kounta-loyalty-url:456").digest("base64url")}`;
    console.log(`
  The Worker is up.
  The merchant dashboard (one click on "Sign in with Kounta": you are in Demo Café): ${BASE}/dashboard
  A customer joining Demo Café, then their card: ${BASE}/join/456
  Try the contract's examples (the path segment is KOUNTA_ADDON_KEY from .dev.vars):
    ${BASE}/kounta/${key}/customer-search?keyword=John%20Smith&site_id=123&company_id=456&order_id=111
    ${BASE}/kounta/${key}/reward-lookup?customer_id=789&reference_id=mem_8f3k2&site_id=123&company_id=456&order_id=111
  Demo Café's own URL key (good for company 456 only, what its merchant is shown): ${companyKey}
  Then play the POS end to end (search, rewards, redeem, the order, the balance): npm run demo
  The Kounta stand-in: ${KOUNTA_BASE}/_stand-in (its control API; orders at ${KOUNTA_BASE}/_stand-in/orders/456/<order id>)
  Ctrl-C stops both.
`);
  }
}

main().catch((err: unknown) => {
  console.error(`dev failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
