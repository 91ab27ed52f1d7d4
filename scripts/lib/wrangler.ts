// Shared by scripts/seed.ts, scripts/dev.ts and scripts/bench.ts: run the project's own wrangler
// (node_modules/wrangler) with the Node that runs the script (the project's pinned Node 22).

import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const WRANGLER_JS = path.join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");

/** No usage metrics from scripted runs (they also work offline). */
export const wranglerEnv: NodeJS.ProcessEnv = { ...process.env, WRANGLER_SEND_METRICS: "false" };

export function persistArgs(persistTo: string | undefined): string[] {
  return persistTo ? ["--persist-to", persistTo] : [];
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a wrangler command to completion. stdin is closed, so wrangler never prompts: it takes its
 * non-interactive answer (e.g. "yes" for `d1 migrations apply --local`). With `capture` the output
 * is collected instead of shown. Rejects when wrangler exits non-zero.
 */
export function runWrangler(args: string[], options: { capture?: boolean } = {}): Promise<RunResult> {
  if (!existsSync(WRANGLER_JS)) {
    return Promise.reject(new Error(`wrangler is not installed (${WRANGLER_JS} is missing): run npm install`));
  }
  const stdio: StdioOptions = options.capture ? ["ignore", "pipe", "pipe"] : ["ignore", "inherit", "inherit"];
  const child = spawn(process.execPath, [WRANGLER_JS, ...args], { cwd: ROOT, env: wranglerEnv, stdio });
  return collect(child, `wrangler ${args.join(" ")}`);
}

/** Starts a long-running wrangler (dev). The caller owns the process and must stop it. */
export function startWrangler(
  args: string[],
  options: { stdio: StdioOptions; detached?: boolean; env?: NodeJS.ProcessEnv },
): ChildProcess {
  return spawn(process.execPath, [WRANGLER_JS, ...args], {
    cwd: ROOT,
    env: { ...wranglerEnv, ...options.env },
    stdio: options.stdio,
    detached: options.detached ?? false,
  });
}

/**
 * The Node flags of a script that imports the Worker's code from src/ (package.json's seed and bench
 * pass the same): the resolve hook for src's extensionless imports (./ts-resolve.ts), and TypeScript
 * beyond type stripping (src/ has constructor parameter properties), without its experimental warning.
 */
export const SRC_IMPORT_FLAGS = [
  "--experimental-transform-types",
  "--disable-warning=ExperimentalWarning",
  "--import",
  pathToFileURL(path.join(ROOT, "scripts", "lib", "ts-resolve.ts")).href,
];

/** Runs another script of this folder with the same Node (and SRC_IMPORT_FLAGS), its output shown. */
export function runScript(script: string, args: string[]): Promise<RunResult> {
  const child = spawn(process.execPath, [...SRC_IMPORT_FLAGS, path.join(ROOT, "scripts", script), ...args], {
    cwd: ROOT,
    env: process.env,
    stdio: ["ignore", "inherit", "inherit"],
  });
  return collect(child, `node scripts/${script} ${args.join(" ")}`);
}

function collect(child: ChildProcess, label: string): Promise<RunResult> {
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => {
      const result = { code: code ?? 1, stdout, stderr };
      if (code === 0) resolve(result);
      else {
        const detail = (stderr || stdout).trim().split("\n").slice(-15).join("\n");
        reject(new Error(`${label} failed (${signal ?? `exit ${code}`})${detail ? `:\n${detail}` : ""}`));
      }
    });
  });
}

/**
 * Runs SQL against the local D1 (binding DB) and returns each statement's rows. Statements are
 * separated by ";" (wrangler runs them in one batch).
 */
export async function d1Query<T = Record<string, unknown>>(sql: string, persistTo?: string): Promise<T[][]> {
  const { stdout } = await runWrangler(
    ["d1", "execute", "DB", "--local", ...persistArgs(persistTo), "--json", "--command", sql],
    { capture: true },
  );
  const start = stdout.indexOf("[");
  if (start < 0) throw new Error(`unexpected output from wrangler d1 execute --json:\n${stdout.slice(0, 500)}`);
  const parsed = JSON.parse(stdout.slice(start)) as { results: T[] }[];
  return parsed.map((r) => r.results);
}

/**
 * Runs SQL statements against the local D1 of `persistTo` from a temporary file (`wrangler d1 execute
 * --file`): for statements too many or too long for `--command`.
 */
export async function executeSqlFile(statements: string[], persistTo: string): Promise<void> {
  const work = mkdtempSync(path.join(os.tmpdir(), "d1-execute-"));
  try {
    const file = path.join(work, "statements.sql");
    writeFileSync(file, statements.join("\n"));
    await runWrangler(["d1", "execute", "DB", "--local", ...persistArgs(persistTo), "--file", file], { capture: true });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export async function applyMigrations(persistTo?: string, options: { capture?: boolean } = {}): Promise<void> {
  await runWrangler(["d1", "migrations", "apply", "DB", "--local", ...persistArgs(persistTo)], options);
}
