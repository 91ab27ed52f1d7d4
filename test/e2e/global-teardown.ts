// Playwright's global teardown: removes the Worker's local state folder of this run
// (playwright.config.ts made it; only this run's wrangler dev used it).

// The project has no @types/node (its TypeScript sees the Workers runtime): the little used is typed here.
interface NodeFs {
  rmSync(path: string, options: { recursive: boolean; force: boolean; maxRetries: number }): void;
}
declare const process: { env: Record<string, string | undefined>; getBuiltinModule(id: "node:fs"): NodeFs };

export default function globalTeardown(): void {
  const dir = process.env.E2E_STATE_DIR;
  if (dir && /kounta-loyalty-e2e-/.test(dir)) process.getBuiltinModule("node:fs").rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
}
