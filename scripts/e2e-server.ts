// The Worker the browser tests drive (playwright.config.ts starts this as its web server): a clean
// local state of its own, the demo seed, the Kounta stand-in and `wrangler dev`, as `npm run dev`
// runs them, on the ports and in the folder the config picked.
//
//   E2E_PORT         the Worker's port (127.0.0.1)
//   E2E_KOUNTA_PORT  the stand-in's port
//   E2E_STATE_DIR    the local D1/KV state (made empty by the config, removed by its teardown)
//   E2E_INSPECTOR_PORT
//
// Secrets come from .dev.vars.example (the local values the stand-in and the seed use), never from a
// developer's .dev.vars. SIGTERM stops both processes.

import type { ChildProcess } from "node:child_process";
import path from "node:path";
import { startKountaStandIn, waitForKountaStandIn } from "./lib/kounta-stand-in.ts";
import { applyMigrations, ROOT, runScript, startWrangler } from "./lib/wrangler.ts";

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (playwright.config.ts sets it)`);
  return value;
}

async function main(): Promise<void> {
  const port = required("E2E_PORT");
  const kountaPort = required("E2E_KOUNTA_PORT");
  const stateDir = required("E2E_STATE_DIR");
  const inspectorPort = required("E2E_INSPECTOR_PORT");
  const kountaBase = `http://localhost:${kountaPort}`;

  await applyMigrations(stateDir);
  await runScript("seed.ts", ["--persist-to", stateDir]);

  const children: ChildProcess[] = [];
  const stop = () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);

  const standIn = startKountaStandIn({ port: Number(kountaPort), stdio: ["ignore", "ignore", "inherit"], quiet: true });
  children.push(standIn);
  if (!(await waitForKountaStandIn(standIn, kountaBase))) {
    stop();
    throw new Error(`the Kounta stand-in did not start on ${kountaBase}`);
  }

  const worker = startWrangler(
    [
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      port,
      "--inspector-port",
      inspectorPort,
      "--persist-to",
      stateDir,
      "--env-file",
      path.join(ROOT, ".dev.vars.example"),
      "--var",
      `KOUNTA_API_BASE_URL:${kountaBase}/v1`,
      "--var",
      `KOUNTA_AUTHORIZE_URL:${kountaBase}/authorize`,
      "--show-interactive-dev-session=false",
      "--log-level",
      "warn",
    ],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  children.push(worker);
  worker.on("exit", (code) => {
    stop();
    process.exit(code ?? 0);
  });
}

main().catch((err: unknown) => {
  console.error(`e2e server failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
