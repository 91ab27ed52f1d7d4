import { base64Url, sha256Base64Url } from "../lib/crypto";

// Kounta sends the header we register with every webhook delivery; only its hash is stored, so the
// deliveries of a company are checked by hashing the header they carry.

export const WEBHOOK_SECRET_HEADER = "X-Loyalty-Webhook-Secret";

export function newWebhookSecret(): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(32)));
}

/** A secret's stored hash (as an API key's: src/lib/crypto.ts sha256Base64Url). */
export const hashWebhookSecret = sha256Base64Url;
