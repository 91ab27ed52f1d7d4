import { hmacSha256, secretsEqual } from "../../lib/crypto";

// The unsubscribe link in every message: /unsubscribe/<company id>/<member id>/<signature>. Nobody
// signs in to use it, so the link carries its own proof: an HMAC of the company and the member with
// the redeem signing key, under a purpose of its own (no other signature of that key passes for one).
// It does not expire (an old email's link must still work) and survives a key rotation while the
// previous key is configured.

const PURPOSE = "member-unsubscribe:v1";
const message = (companyId: string, memberId: string) => `${PURPOSE}:${companyId}:${memberId}`;

export async function unsubscribeSignature(key: string, companyId: string, memberId: string): Promise<string> {
  return hmacSha256(key, message(companyId, memberId));
}

export async function unsubscribeUrl(origin: string, key: string, companyId: string, memberId: string): Promise<string> {
  const sig = await unsubscribeSignature(key, companyId, memberId);
  return `${origin}/unsubscribe/${encodeURIComponent(companyId)}/${encodeURIComponent(memberId)}/${sig}`;
}

/** Whether the signature was made by one of the keys (the current one, the previous one) for this member. */
export async function checkUnsubscribeSignature(keys: readonly string[], companyId: string, memberId: string, sig: string): Promise<boolean> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(sig)) return false;
  let valid = false;
  for (const key of keys) valid = (await secretsEqual(sig, await unsubscribeSignature(key, companyId, memberId))) || valid;
  return valid;
}
