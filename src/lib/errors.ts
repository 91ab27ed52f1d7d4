import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/**
 * An error a Kounta-facing route answers in Kounta's shape, `{"error": "<sentence>"}`. The message
 * is read by a cashier: short, plain, no internals.
 */
export class KountaError extends HTTPException {
  constructor(status: ContentfulStatusCode, message: string) {
    super(status, { message });
    this.name = "KountaError";
  }
}

export const messages = {
  notFound: "Not found",
  internal: "Something went wrong in the loyalty service. Please try again.",
  misconfigured: "The loyalty service is not set up correctly. Please contact support.",
  notConnected: "This business is not connected to the loyalty programme.",
} as const;
