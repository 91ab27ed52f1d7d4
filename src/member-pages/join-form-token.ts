import { hmacSha256, secretsEqual } from "../lib/crypto";

// The anti-forgery token of the join page's forms. Nobody is signed in there, so there is no session
// to hold one: the token is signed instead (HMAC with the redeem signing key, under a purpose of its
// own so that no other signature of that key can pass for one), names the company it was drawn
// for, and expires. Together with the Origin check (Hono's csrf) it refuses a form posted from
// anywhere but our own page.

const PURPOSE = "member-join-form:v1";
/** How long a page stays usable: a customer may open it in the queue and finish at the table. */
export const FORM_TOKEN_TTL_MS = 2 * 60 * 60 * 1000;
/** A clock a little ahead elsewhere must not refuse a token just drawn. */
const CLOCK_SKEW_MS = 5 * 60 * 1000;

const message = (companyId: string, issuedAt: number) => `${PURPOSE}:${companyId}:${issuedAt}`;

/** "<issued at, base 36>.<signature>". */
export async function joinFormToken(key: string, companyId: string, now = Date.now()): Promise<string> {
  return `${now.toString(36)}.${await hmacSha256(key, message(companyId, now))}`;
}

/** Whether the token was drawn by us (the current key or the previous one) for this company, and is fresh. */
export async function checkJoinFormToken(keys: readonly string[], companyId: string, token: unknown, now = Date.now()): Promise<boolean> {
  if (typeof token !== "string") return false;
  const match = /^([0-9a-z]{1,11})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!match) return false;
  const issuedAt = parseInt(match[1]!, 36);
  if (!(issuedAt <= now + CLOCK_SKEW_MS && now - issuedAt <= FORM_TOKEN_TTL_MS)) return false;
  let valid = false;
  for (const key of keys) valid = (await secretsEqual(match[2]!, await hmacSha256(key, message(companyId, issuedAt)))) || valid;
  return valid;
}
