// Shared by scripts/dev.ts and scripts/bench.ts: the local Kounta stand-in (dev/kounta-stand-in),
// served from Node over real HTTP by dev/kounta-stand-in/node-server.ts, with the Node that runs the
// script (the project's pinned Node 22, which runs the .ts files as they are). The demo company 456 is
// seeded; the OAuth client is local-dev-client-id / local-dev-client-secret (as .dev.vars.example).

import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import path from "node:path";
import { ROOT } from "./wrangler.ts";

const NODE_SERVER = path.join(ROOT, "dev", "kounta-stand-in", "node-server.ts");

/**
 * Starts the stand-in on `port` (`host`: default localhost, i.e. 127.0.0.1 and ::1). It writes a line per
 * call to its stdout unless `quiet`. The caller owns the process and must stop it (SIGTERM).
 */
export function startKountaStandIn(options: { port: number; host?: string; stdio: StdioOptions; detached?: boolean; quiet?: boolean }): ChildProcess {
  const args = [NODE_SERVER, "--port", String(options.port), ...(options.host ? ["--host", options.host] : []), ...(options.quiet ? ["--quiet"] : [])];
  return spawn(process.execPath, args, { cwd: ROOT, env: process.env, stdio: options.stdio, detached: options.detached ?? false });
}

/** Resolves once the stand-in's control API answers at `base`; false if it exits or `timeoutMs` passes first. */
export async function waitForKountaStandIn(child: ChildProcess, base: string, timeoutMs = 30_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && child.exitCode === null && child.signalCode === null) {
    try {
      const res = await fetch(`${base}/_stand-in`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}
