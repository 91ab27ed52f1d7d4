import { createKountaStandIn } from "../dev/kounta-stand-in/app";
import { CONNECTION_LOST_HEADER } from "../dev/kounta-stand-in/state";

// The Worker calls Kounta at KOUNTA_API_BASE_URL (http://localhost:8788/v1 in wrangler.toml). In the
// tests that address is answered by the local Kounta stand-in, in this same isolate: the fetch below
// hands it those requests (honouring their abort signal, as a network would) and passes anything
// else through (to the real network: the Node stand-in of test/global-setup.ts, for one).
//
// The stand-in's network faults, simulated here: `connection_lost` (carried out, then the answer lost)
// becomes the error Workers' fetch throws for a lost connection; `no_answer` (nothing carried out,
// the app never answers) and `late_answer` (carried out, the app answers after its delay) need nothing
// more than the abort signal: the caller's timeout rejects the fetch, as it would on a socket. A call
// without a signal waits for ever on `no_answer`. The same faults over a real socket:
// test/kounta-api/client.network.test.ts.

export const KOUNTA_ORIGIN = "http://localhost:8788";

export const standIn = createKountaStandIn({ clientId: "test-client-id", clientSecret: "test-client-secret" });

/** The Workers runtime's own fetch, before the patch below: real sockets. */
export const networkFetch: typeof fetch = globalThis.fetch.bind(globalThis);

globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
  const request = new Request(input, init);
  if (new URL(request.url).origin !== KOUNTA_ORIGIN) return networkFetch(input, init);
  const signal = init?.signal ?? null;
  // Like a server, the stand-in goes on with a request the client gave up on: it gets its own copy.
  const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.arrayBuffer();
  const copy = new Request(request.url, { method: request.method, headers: request.headers, body, redirect: "manual" });
  // The stand-in's connection_lost fault: the call was carried out, then the answer was lost on the
  // way, which Workers' fetch reports as this error (what workerd throws for a reset connection, as
  // client.network.test.ts sees over a real socket).
  const answer = Promise.resolve(standIn.app.fetch(copy)).then((res) => {
    if (res.headers.get(CONNECTION_LOST_HEADER) === "connection_lost") throw new Error("Network connection lost.");
    return res;
  });
  if (!signal) return answer;
  if (signal.aborted) throw signal.reason;
  return new Promise<Response>((resolve, reject) => {
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
    answer.then(resolve, reject);
  });
};

export interface StandInCall {
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  auth: "bearer" | "basic" | "none";
  status: number;
}

async function control<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await standIn.app.fetch(
    new Request(`${KOUNTA_ORIGIN}/_stand-in/${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
  if (!res.ok) throw new Error(`stand-in control ${method} ${path}: ${res.status} ${await res.text()}`);
  const text = await res.text();
  return (text ? JSON.parse(text) : null) as T;
}

/** A live access token of the company in Kounta (whatever the Worker has since refreshed to). */
function liveToken(companyId: string): string {
  const now = Date.now();
  const live = [...standIn.state.accessTokens.values()].filter((t) => t.companyId === companyId && t.expiresAt > now);
  if (live.length === 0) throw new Error(`no live Kounta token for company ${companyId}`);
  return live.at(-1)!.token;
}

export const kounta = {
  /** A call to Kounta's API as the company, as a POS would make it; throws on 4xx/5xx. */
  async api(companyId: string, method: string, path: string, body?: unknown): Promise<Response> {
    const res = await fetch(`${KOUNTA_ORIGIN}/v1/companies/${companyId}/${path}.json`, {
      method,
      headers: {
        Authorization: `Bearer ${liveToken(companyId)}`,
        Accept: "application/json",
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res;
  },
  addCompany(id: string, siteId: string, tokens: { accessToken?: string; refreshToken?: string; accessTokenExpiresAt?: number | null }) {
    return control<{ accessToken: string; refreshToken: string; accessTokenExpiresAt: number | null }>("POST", "companies", {
      id,
      siteId,
      ...(tokens.accessToken ? { accessToken: tokens.accessToken } : {}),
      ...(tokens.refreshToken ? { refreshToken: tokens.refreshToken } : {}),
    });
  },
  fault(companyId: string, fault: string, extra: Record<string, unknown> = {}) {
    return control("POST", "faults", { company_id: companyId, fault, ...extra });
  },
  calls(companyId: string) {
    return control<StandInCall[]>("GET", `calls?company_id=${companyId}`);
  },
  /** The /v1 calls other than the token endpoint, as "METHOD path". */
  async apiCalls(companyId: string): Promise<string[]> {
    return (await kounta.calls(companyId)).filter((c) => !c.path.includes("/token")).map((c) => `${c.method} ${c.path}`);
  },
  order(companyId: string, orderId: string) {
    return control<Record<string, any>>("GET", `orders/${companyId}/${orderId}`);
  },
};
