import { base64Url } from "../lib/crypto";

// Kounta sends the header we register with every webhook delivery; only its hash is stored, so the
// deliveries of a company are checked by hashing the header they carry.

export const WEBHOOK_SECRET_HEADER = "X-Loyalty-Webhook-Secret";

export function newWebhookSecret(): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(32)));
}

export async function hashWebhookSecret(secret: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(secret));
  return base64Url(new Uint8Array(digest));
}
