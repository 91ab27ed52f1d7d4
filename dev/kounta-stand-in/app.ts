// The local Kounta REST API stand-in: a Hono app over in-memory state. Pure Hono and Web APIs, so it runs
// in the tests' Workers isolate (test/kounta-harness.ts routes the Worker's outbound fetches to it) and
// in Node over real HTTP (node-server.ts: `npm run dev`, `npm run bench`, test/global-setup.ts).
// What it imitates and what it decides where Kounta's docs are silent: README.md in this folder.
import { Hono } from "hono";
import { getPath } from "hono/utils/url";
import { registerControlRoutes, describeStandIn } from "./control.ts";
import { registerCustomerRoutes } from "./customers.ts";
import { ApiError, companyOf, errorResponse, jsonResponse, notFound, pathId, paged, type AppEnv } from "./http.ts";
import { registerOAuthRoutes } from "./oauth.ts";
import { registerOrderRoutes } from "./orders.ts";
import { v1Pipeline } from "./pipeline.ts";
import { companyJson, paymentMethodJson, productJson, siteJson } from "./render.ts";
import { PAGE_SIZE, createState, type StandInState, type StateOptions } from "./state.ts";
import { registerWebhookRoutes } from "./webhooks.ts";

export { addCompany, type NewCompany, type StandInState } from "./state.ts";

/** How the stand-in starts: the state's options (state.ts). */
export type KountaStandInOptions = StateOptions;

export interface KountaStandIn {
  app: Hono<AppEnv>;
  state: StandInState;
  /** Resolves once every webhook delivery started so far has finished (delivered or failed). */
  settle(): Promise<void>;
}

export function createKountaStandIn(options: KountaStandInOptions = {}): KountaStandIn {
  const state = createState(options);
  // `.json` on the end of a path only picks the format: route without it.
  const app = new Hono<AppEnv>({
    getPath: (request) => {
      const path = getPath(request);
      return path.endsWith(".json") ? path.slice(0, -".json".length) : path;
    },
  });

  app.get("/", (c) => jsonResponse(200, describeStandIn(new URL(c.req.url).origin, state)));
  registerControlRoutes(app, state);
  // Every /v1 call, the token endpoint included, goes through the pipeline first (registered before the routes).
  app.use("/v1/*", v1Pipeline(state));
  registerOAuthRoutes(app, state);

  app.get("/v1/companies/me", (c) => jsonResponse(200, companyJson(companyOf(c))));
  app.get("/v1/companies/:company", (c) => jsonResponse(200, companyJson(companyOf(c))));
  app.get("/v1/companies/:company/sites", (c) => jsonResponse(200, companyOf(c).sites.map(siteJson)));
  app.get("/v1/companies/:company/products", (c) => paged(c, [...companyOf(c).products.values()], PAGE_SIZE, productJson));
  app.get("/v1/companies/:company/products/:product", (c) => {
    const id = pathId(c.req.param("product"), "Product");
    const product = companyOf(c).products.get(id);
    if (!product) throw notFound(`Product ${id}`);
    return jsonResponse(200, productJson(product));
  });
  app.get("/v1/companies/:company/payment_methods", (c) => jsonResponse(200, [...companyOf(c).paymentMethods.values()].map(paymentMethodJson)));

  registerOrderRoutes(app, state);
  registerCustomerRoutes(app, state);
  registerWebhookRoutes(app, state);

  app.notFound((c) => errorResponse(404, "not_found", `No such resource: ${c.req.method} ${new URL(c.req.url).pathname}`));
  app.onError((err, c) => {
    if (err instanceof ApiError) return errorResponse(err.status, err.code, err.message, err.headers);
    return errorResponse(500, "server_error", `The stand-in failed on ${c.req.method} ${new URL(c.req.url).pathname}: ${err instanceof Error ? err.message : String(err)}`);
  });

  return {
    app,
    state,
    async settle() {
      while (state.pending.size > 0) await Promise.allSettled([...state.pending]);
    },
  };
}
