// Faults: the next N calls for a company misbehave (slow, 429, 500, 400, expired token, order completed
// meanwhile, a redirect, the connection lost after the call was carried out, no answer at all, an answer
// that comes too late, a gateway's 5xx page in front of Kounta, after the call was carried out or not).
import { errorResponse } from "./http.ts";
import { setOrderStatus } from "./orders.ts";
import { expireAccessTokens, getOrOpenOrder, type Company, type Fault, type StandInState } from "./state.ts";
import type { WaitUntil } from "./webhooks.ts";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What a fault does to the call it hits, when it does more than wait or change the state first. */
export type FaultEffect =
  /** Answer this instead of carrying the call out (429, 500, 400, 307). */
  | { kind: "answer"; response: Response }
  /** Carry the call out, then lose the answer (connection_lost). */
  | { kind: "lose_answer" }
  /** Carry the call out, then answer only after `delayMs` (late_answer). */
  | { kind: "late_answer"; delayMs: number }
  /** Carry the call out, then answer this instead of its own answer (gateway_error, carried out). */
  | { kind: "replace_answer"; response: Response }
  /** Carry nothing out and never answer (no_answer). */
  | { kind: "no_answer" };

/**
 * Consumes one use of the company's first queued fault. Returns what to do instead of answering
 * normally, or null to go on answering normally (after waiting, expiring the tokens or completing the
 * order, as the fault says).
 */
export async function applyFault(state: StandInState, company: Company, waitUntil: WaitUntil, url: URL): Promise<FaultEffect | null> {
  const fault = company.faults[0];
  if (!fault) return null;
  fault.remaining -= 1;
  if (fault.remaining <= 0) company.faults.shift();
  switch (fault.fault) {
    case "slow":
      await sleep(fault.delayMs);
      return null;
    case "rate_limit":
      return { kind: "answer", response: errorResponse(429, "rate_limit_exceeded", "Too many requests", { "Retry-After": fault.retryAfter }) };
    case "server_error":
      return { kind: "answer", response: errorResponse(500, "server_error", "The server encountered an unexpected condition") };
    case "bad_request":
      // Kounta refusing what it was sent, e.g. a negative unit_price (whether it accepts one is unpublished).
      return { kind: "answer", response: errorResponse(400, "invalid_request", "The request was refused") };
    case "expired_token":
      expireAccessTokens(state, company.id);
      return null;
    case "redirect":
      // Nothing is done: the call is sent elsewhere (by default the same path on another host).
      return {
        kind: "answer",
        response: new Response(null, { status: 307, headers: { Location: fault.location ?? `https://elsewhere.example${url.pathname}${url.search}` } }),
      };
    case "connection_lost":
      return { kind: "lose_answer" };
    case "no_answer":
      return { kind: "no_answer" };
    case "late_answer":
      return { kind: "late_answer", delayMs: fault.delayMs };
    case "gateway_error": {
      // A proxy or load balancer in front of Kounta answers with its own page, not Kounta's JSON: as
      // when it gave up waiting while Kounta's backend carried the call out (or never passed it on).
      const response = gatewayPage(fault.status);
      return fault.carriedOut ? { kind: "replace_answer", response } : { kind: "answer", response };
    }
    case "order_completed": {
      // As if the cashier finished the sale at the POS just before this call arrived.
      const order = getOrOpenOrder(state, company, fault.orderId!);
      if (order.status !== "COMPLETE") setOrderStatus(state, company, order, "COMPLETE", waitUntil);
      return null;
    }
  }
}

const GATEWAY_TITLES: Record<number, string> = { 500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Temporarily Unavailable", 504: "Gateway Time-out" };

/** What a gateway (nginx, here) answers with a 5xx of its own: an HTML page. */
export function gatewayPage(status: number): Response {
  const title = `${status} ${GATEWAY_TITLES[status] ?? "Server Error"}`;
  const html = `<html>\n<head><title>${title}</title></head>\n<body>\n<center><h1>${title}</h1></center>\n<hr><center>nginx</center>\n</body>\n</html>\n`;
  return new Response(html, { status, headers: { "Content-Type": "text/html" } });
}

export function faultJson(f: Fault) {
  return {
    fault: f.fault,
    remaining: f.remaining,
    ...(f.fault === "slow" || f.fault === "late_answer" ? { delay_ms: f.delayMs } : {}),
    ...(f.fault === "rate_limit" ? { retry_after: f.retryAfter } : {}),
    ...(f.fault === "order_completed" ? { order_id: f.orderId } : {}),
    ...(f.fault === "redirect" && f.location ? { location: f.location } : {}),
    ...(f.fault === "gateway_error" ? { status: f.status, carried_out: f.carriedOut } : {}),
  };
}
