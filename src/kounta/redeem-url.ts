import { base64Url, hmacSha256, secretsEqual } from "../lib/crypto";

function newNonce(): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(6)));
}

// The redeem_url handed to the POS in a reward lookup. Kounta calls it with the order placeholder
// replaced by the real order id, and with `quantity` appended for a variable-quantity reward; every
// other parameter is ours, signed with REDEEM_SIGNING_KEY and time-limited.

export const REDEEM_PATH = "/kounta/redeem";

/** The parameters we sign, in this order. Anything else Kounta sends is not ours and not signed. */
export const SIGNED_PARAMS = ["company_id", "site_id", "reference_id", "customer_id", "reward_id", "expires", "nonce", "points", "max_points"] as const;
type SignedParam = (typeof SIGNED_PARAMS)[number];
/**
 * Signed when present only: what the cashier was shown, the price of a fixed-price reward (`points`)
 * or the most a variable one takes (`max_points`). Added after the first links were handed out, so a
 * link from before them still verifies, while one that carries either cannot lose it unnoticed.
 */
const SIGNED_WHEN_PRESENT: ReadonlySet<SignedParam> = new Set(["points", "max_points"]);
export type RedeemParams = Partial<Record<SignedParam, string>> & {
  company_id: string;
  reference_id: string;
  reward_id: string;
  expires: string;
  nonce: string;
};

function canonical(params: Partial<Record<SignedParam, string>>): string {
  return SIGNED_PARAMS.filter((name) => !SIGNED_WHEN_PRESENT.has(name) || params[name] !== undefined)
    .map((name) => `${name}=${encodeURIComponent(params[name] ?? "")}`)
    .join("&");
}

export async function buildRedeemUrl(input: {
  origin: string;
  signingKey: string;
  ttlSeconds: number;
  now: number;
  companyId: string;
  siteId?: string;
  memberId: string;
  customerId?: string;
  rewardId: string;
  /** A fixed-price reward's points, as shown: a redemption after the price changed is refused. */
  points?: number;
  /** A variable-quantity reward's most points, as shown: it says the link is for a variable reward. */
  maxPoints?: number;
  /** Kounta's placeholder, written literally (it is what Kounta rewrites). */
  orderPlaceholder: string;
  nonce?: string;
}): Promise<string> {
  const params: RedeemParams = {
    company_id: input.companyId,
    reference_id: input.memberId,
    reward_id: input.rewardId,
    expires: String(Math.floor(input.now / 1000) + input.ttlSeconds),
    // Each lookup hands out new URLs: a second tap of the same URL is a retry, while the same reward
    // opened again (a second free coffee on one order) is a new redemption.
    nonce: input.nonce ?? newNonce(),
  };
  if (input.siteId) params.site_id = input.siteId;
  if (input.customerId) params.customer_id = input.customerId;
  if (input.points !== undefined) params.points = String(input.points);
  if (input.maxPoints !== undefined) params.max_points = String(input.maxPoints);
  const sig = await hmacSha256(input.signingKey, canonical(params));
  const query = SIGNED_PARAMS.filter((name) => params[name] !== undefined)
    .map((name) => `${name}=${encodeURIComponent(params[name]!)}`)
    .join("&");
  return `${input.origin}${REDEEM_PATH}?${query}&sig=${sig}&order_id=${input.orderPlaceholder}`;
}

export type RedeemUrlCheck = "valid" | "invalid" | "expired";

/** Checks a redeem call's signature (against the current and the previous key) and expiry. */
export async function verifyRedeemParams(
  params: Partial<Record<SignedParam | "sig", string>>,
  signingKeys: string[],
  now: number,
): Promise<RedeemUrlCheck> {
  if (!params.sig) return "invalid";
  const expected = canonical(params);
  const results = await Promise.all(signingKeys.map(async (key) => secretsEqual(await hmacSha256(key, expected), params.sig!)));
  if (!results.some(Boolean)) return "invalid";
  const expires = Number(params.expires);
  if (!Number.isSafeInteger(expires) || expires * 1000 < now) return "expired";
  return "valid";
}
