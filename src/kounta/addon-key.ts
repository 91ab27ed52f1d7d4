import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { KountaError } from "../lib/errors";
import { serviceMessages as messages } from "../loyalty/cashier-messages";
import { hmacSha256, matchesConfiguredSecret, secretsEqual } from "../lib/crypto";
import type { AppEnv } from "../services";

/**
 * The URLs configured in Kounta's Loyalty tab carry a key in their path (/kounta/<key>/customer-search).
 * Two kinds are accepted, because Kounta's pages do not say whether that tab belongs to the add-on
 * (set once by us, for every merchant) or to each merchant's own add-on settings:
 *
 * - the add-on key itself (`KOUNTA_ADDON_KEY`): good for every company. It is set by whoever runs
 *   this deployment and never shown to a merchant.
 * - a company's own key, `<company id>.<HMAC of the company id under the add-on key>`: good for that
 *   company only. This is what a merchant is shown (the connected page, `GET /admin/v1/connection`),
 *   so one merchant's URLs can never read another company's members.
 *
 * Keys made with `KOUNTA_ADDON_KEY_PREVIOUS` are accepted too, so the add-on key can be rotated
 * without downtime. A wrong key gets the same 404 as any unknown path.
 */

const COMPANY_KEY = /^(\d{1,20})\.([A-Za-z0-9_-]{43})$/;

function companyKeySignature(addonKey: string, companyId: string): Promise<string> {
  return hmacSha256(addonKey, `kounta-loyalty-url:${companyId}`);
}

/** The path key a merchant pastes into Kounta: good for their company only. */
export async function companyAddonKey(addonKey: string, companyId: string): Promise<string> {
  return `${companyId}.${await companyKeySignature(addonKey, companyId)}`;
}

/** The two Loyalty-tab URLs of one company, as a merchant is shown them. */
export async function companyLoyaltyUrls(origin: string, addonKey: string, companyId: string) {
  const base = `${origin}/kounta/${await companyAddonKey(addonKey, companyId)}`;
  return { customer_search: `${base}/customer-search`, reward_lookup: `${base}/reward-lookup` };
}

/** Which companies a given path key opens: all of them, one, or none (null). */
export async function addonKeyScope(given: string, addonKeys: readonly string[]): Promise<{ companyId: string | null } | null> {
  if (await matchesConfiguredSecret(given, addonKeys)) return { companyId: null };
  const parsed = COMPANY_KEY.exec(given);
  if (!parsed) return null;
  const [, companyId, signature] = parsed as unknown as [string, string, string];
  // Every configured key is tried (no early exit): timing says nothing about which one matched.
  const matches = await Promise.all(
    addonKeys.map(async (key) => secretsEqual(signature, await companyKeySignature(key, companyId))),
  );
  return matches.includes(true) ? { companyId } : null;
}

// Path keys this isolate has accepted, with what they open: a till calls with the same key all day,
// and checking it costs a SHA-256 digest of the key given, and for a company's key (what merchants
// paste) an HMAC and two digests more per configured add-on key. Only keys that matched are kept, by
// the exact key and all the configured add-on keys, so a wrong key is checked in full every time, as
// before, and says nothing by its timing that it did not say then; a change of configured keys
// matches nothing remembered.
const acceptedKeys = new Map<string, { companyId: string | null }>();
const MAX_ACCEPTED_KEYS = 256;

async function scopeOf(given: string, candidates: readonly string[]): Promise<{ companyId: string | null } | null> {
  const memo = JSON.stringify([candidates, given]);
  const known = acceptedKeys.get(memo);
  if (known) return known;
  const scope = await addonKeyScope(given, candidates);
  if (scope) {
    if (acceptedKeys.size >= MAX_ACCEPTED_KEYS) acceptedKeys.clear();
    acceptedKeys.set(memo, scope);
  }
  return scope;
}

export const requireAddonKey = createMiddleware<AppEnv>(async (c, next) => {
  const { config } = c.get("services");
  const candidates = [config.KOUNTA_ADDON_KEY, config.KOUNTA_ADDON_KEY_PREVIOUS].filter((k): k is string => !!k);
  const scope = await scopeOf(c.req.param("addonKey") ?? "", candidates);
  if (!scope) throw new KountaError(404, messages.notFound);
  c.set("addonKeyCompany", scope.companyId);
  await next();
});

/**
 * Refuses a call for a company the path key does not open, with the same 404 as a wrong key.
 * Called with the request's `company_id` before anything is read or written.
 */
export function assertKeyOpensCompany(c: Context<AppEnv>, companyId: string): void {
  const scoped = c.get("addonKeyCompany");
  if (scoped && scoped !== companyId) throw new KountaError(404, messages.notFound);
}
