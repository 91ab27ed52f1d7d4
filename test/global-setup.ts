// Vitest global setup of the workers project (runs once, in Node, before its test files): the Kounta
// stand-in served over real HTTP (dev/kounta-stand-in/node-server.ts) on a free port of 127.0.0.1,
// so tests can reach it through real sockets, where its network faults (a reset connection, no answer,
// a late answer) are real. Its URL: `inject("kountaNetworkUrl")`. The tests' usual stand-in is the
// in-isolate one of test/kounta-harness.ts; this one is shared by every test file of the run (give
// each test its own company, as seedCompany does).
import type { TestProject } from "vitest/node";
import { startNodeStandIn } from "../dev/kounta-stand-in/node-server.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** http://127.0.0.1:<port>: the Node stand-in (API under /v1, control API under /_stand-in). */
    kountaNetworkUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The test OAuth client (test/vitest.config.ts); no demo webhook (there is no `npm run dev` Worker).
  const server = await startNodeStandIn({ host: "127.0.0.1", port: 0, demoWebhook: false, clientId: "test-client-id", clientSecret: "test-client-secret" });
  project.provide("kountaNetworkUrl", server.url);
  return () => server.close();
}
