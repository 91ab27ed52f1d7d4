// Faults: the next N calls for a company misbehave (slow, 429, 500, 400, expired token, order completed
// meanwhile, a redirect, the connection lost after the call was carried out).
import { errorResponse } from "./http.ts";
import { setOrderStatus } from "./orders.ts";
import { expireAccessTokens, getOrOpenOrder, type Company, type Fault, type StandInState } from "./state.ts";
import type { WaitUntil } from "./webhooks.ts";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Consumes one use of the company's first queued fault. Returns the answer to give instead of the real one
 * (429, 500, 307), "lose_answer" to carry the call out and then lose its answer (connection_lost), or null
 * to go on answering normally (after waiting, expiring the tokens or completing the order, as the fault says).
 */
export async function applyFault(state: StandInState, company: Company, waitUntil: WaitUntil, url: URL): Promise<Response | "lose_answer" | null> {
  const fault = company.faults[0];
  if (!fault) return null;
  fault.remaining -= 1;
  if (fault.remaining <= 0) company.faults.shift();
  switch (fault.fault) {
    case "slow":
      await sleep(fault.delayMs);
      return null;
    case "rate_limit":
      return errorResponse(429, "rate_limit_exceeded", "Too many requests", { "Retry-After": fault.retryAfter });
    case "server_error":
      return errorResponse(500, "server_error", "The server encountered an unexpected condition");
    case "bad_request":
      // Kounta refusing what it was sent, e.g. a negative unit_price (whether it accepts one is unpublished).
      return errorResponse(400, "invalid_request", "The request was refused");
    case "expired_token":
      expireAccessTokens(state, company.id);
      return null;
    case "redirect":
      // Nothing is done: the call is sent elsewhere (by default the same path on another host).
      return new Response(null, { status: 307, headers: { Location: fault.location ?? `https://elsewhere.example${url.pathname}${url.search}` } });
    case "connection_lost":
      return "lose_answer";
    case "order_completed": {
      // As if the cashier finished the sale at the POS just before this call arrived.
      const order = getOrOpenOrder(state, company, fault.orderId!);
      if (order.status !== "COMPLETE") setOrderStatus(state, company, order, "COMPLETE", waitUntil);
      return null;
    }
  }
}

export function faultJson(f: Fault) {
  return {
    fault: f.fault,
    remaining: f.remaining,
    ...(f.fault === "slow" ? { delay_ms: f.delayMs } : {}),
    ...(f.fault === "rate_limit" ? { retry_after: f.retryAfter } : {}),
    ...(f.fault === "order_completed" ? { order_id: f.orderId } : {}),
    ...(f.fault === "redirect" && f.location ? { location: f.location } : {}),
  };
}
