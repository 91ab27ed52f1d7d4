// The Worker under test (`wrangler dev` on its own port and state), the local Kounta stand-in, and the
// HTTP client the load generator asks them with (node:http, one keep-alive agent, 127.0.0.1 only).

import type { ChildProcess } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { startKountaStandIn, waitForKountaStandIn } from "./kounta-stand-in.ts";
import { startWrangler, ROOT } from "./wrangler.ts";
import { BENCH_VARS, HOST, KOUNTA_PORT, NO_LOCAL_TRACES, PORT, RESULTS_DIR } from "./bench-config.ts";

export interface Server {
  child: ChildProcess;
  log: string;
  stop: () => Promise<void>;
}

let running: Server | null = null;

/** The Worker that runs now (its process group is what the CPU accounting reads), if any. */
export function runningServer(): Server | null {
  return running;
}

export function rel(p: string): string {
  return path.relative(ROOT, p) || ".";
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Signals the process group of the wrangler we started (detached, so it leads its own group):
 * wrangler, its node child and workerd, even when wrangler itself has already exited.
 */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

/** The local Kounta stand-in (dev/kounta-stand-in) on :8788: what redemption calls. */
export async function startStandIn(): Promise<{ stop: () => Promise<void> }> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const fd = openSync(path.join(RESULTS_DIR, "kounta-stand-in.log"), "w");
  // --quiet: no line per call (the benchmark makes many).
  const child = startKountaStandIn({ port: KOUNTA_PORT, host: HOST, stdio: ["ignore", fd, fd], detached: true, quiet: true });
  closeSync(fd);
  const stop = async () => {
    killGroup(child, "SIGTERM");
    await sleep(1000);
    killGroup(child, "SIGKILL");
  };
  if (await waitForKountaStandIn(child, `http://${HOST}:${KOUNTA_PORT}`)) return { stop };
  await stop();
  throw new Error("the Kounta stand-in did not start (see .bench/kounta-stand-in.log)");
}

/** `extraArgs`: more of wrangler dev's arguments (the warnings measurement's own Worker script). */
export async function startServer(dir: string, label: string, extraArgs: string[] = []): Promise<Server> {
  if (await healthy()) throw new Error(`something already answers on ${HOST}:${PORT}; stop it first`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const log = path.join(RESULTS_DIR, `wrangler-${label}.log`);
  // An empty env file instead of .dev.vars: the benchmark's secrets are its own (--var below).
  const envFile = path.join(RESULTS_DIR, "empty.env");
  writeFileSync(envFile, "");
  const fd = openSync(log, "w");
  // (The extra arguments first: --var takes every word after it.)
  const args = ["dev", ...extraArgs, "--port", String(PORT), "--ip", HOST, "--persist-to", dir, "--env-file", envFile];
  for (const [name, value] of Object.entries(BENCH_VARS)) args.push("--var", `${name}:${value}`);
  const child = startWrangler(args, { stdio: ["ignore", fd, fd], detached: true, env: NO_LOCAL_TRACES });
  closeSync(fd);
  const server: Server = {
    child,
    log,
    stop: async () => {
      killGroup(child, "SIGTERM");
      const exited = await Promise.race([
        new Promise<boolean>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve(true) : child.once("exit", () => resolve(true)))),
        sleep(8000).then(() => false),
      ]);
      // Whatever of the group outlived wrangler (or a wrangler that would not stop) goes now.
      if (exited) await sleep(500);
      killGroup(child, "SIGKILL");
      if (running === server) running = null;
    },
  };
  running = server;
  const deadline = Date.now() + 120_000;
  while (!(await healthy())) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      await server.stop();
      const tail = readFileSync(log, "utf8").trim().split("\n").slice(-20).join("\n");
      throw new Error(`wrangler dev did not come up (log ${rel(log)}):\n${tail}`);
    }
    await sleep(250);
  }
  return server;
}

async function healthy(): Promise<boolean> {
  try {
    const res = await request("/health", 2000);
    return res.status === 200;
  } catch {
    return false;
  }
}

// Make sure the Worker goes when we do, whatever the reason.
process.on("exit", () => {
  if (running) killGroup(running.child, "SIGKILL");
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (running) killGroup(running.child, "SIGTERM");
    process.exit(130);
  });
}

/** Stops the Worker if one still runs and closes the client's sockets (the end of the run). */
export async function shutDown(): Promise<void> {
  if (running) await running.stop();
  agent.destroy();
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

export interface Response {
  status: number;
  serverTiming: string;
  body: string;
}

/** Generous: a search that scans a large company waits its turn behind the others in flight. */
export function request(pathAndQuery: string, timeoutMs = 120_000, headers: Record<string, string> = {}): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: HOST, port: PORT, path: pathAndQuery, method: "GET", agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          serverTiming: String(res.headers["server-timing"] ?? ""),
          body: Buffer.concat(chunks).toString("utf8"),
        }),
      );
      res.on("error", reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on("error", reject);
    req.end();
  });
}
