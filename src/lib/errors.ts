import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/**
 * An error a Kounta-facing route answers in Kounta's shape, `{"error": "<sentence>"}`. The message
 * is read by a cashier: short, plain, no internals (src/loyalty/cashier-messages.ts).
 */
export class KountaError extends HTTPException {
  constructor(status: ContentfulStatusCode, message: string) {
    super(status, { message });
    this.name = "KountaError";
  }
}
