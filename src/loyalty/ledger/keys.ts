import { sql, type SQL } from "drizzle-orm";

// Every idempotency key the scheme writes, in one place. A key is UNIQUE per company in its table,
// so writing a row under it happens once however often the write is tried; reading a key's parts
// back (which order, which redemption) must agree with how it was written, hence builders and
// parsers side by side. The SQL forms below write the same text inside a statement: their prefixes
// are SQL literals of these constants (sql.raw), so the statements stay what they were.
//
// points_ledger.idempotency_key:
//   earn:<order>                  what a completed order earned
//   refund:<order>:<payment>      minus points for one refund payment on the order
//   unearn:<order>                minus what is left of an order's earning (rejected or deleted)
//   return:<redemption>           plus the points of an applied redemption on an undone order
//   redeem:<redemption>           minus the points a redemption reserves
//   release:<redemption>          plus the points of a redemption that was not applied
//   expiry:<member>:<YYYY-MM-DD>  minus the points expired at that cutoff day
//   adjust:<caller's key>         a merchant's adjustment (a random key when the caller sends none)
//   opening:<member>              an opening balance
// redemptions.idempotency_key:
//   redeem:<order>:<signature>[:<quantity>]     one redeem URL on one order (plus the points chosen,
//                                               for a variable-quantity reward)
//   <that key>:failed:<redemption>              once released, so the same URL can be tried again

const EARN = "earn:";
const REFUND = "refund:";
const UNEARN = "unearn:";
const RETURN = "return:";
const REDEEM = "redeem:";
const RELEASE = "release:";
const EXPIRY = "expiry:";
const ADJUST = "adjust:";
const OPENING = "opening:";
const FAILED = ":failed:";

/** A constant as an SQL string literal (the constants above hold no quote). */
const literal = (text: string) => sql.raw(`'${text}'`);

export const earnKey = (orderId: string) => `${EARN}${orderId}`;
export const unearnKey = (orderId: string) => `${UNEARN}${orderId}`;
/** `payment`: Kounta's payment id, or `#<position>` for a payment without one. */
export const refundKey = (orderId: string, payment: string) => `${REFUND}${orderId}:${payment}`;
export const returnKey = (redemptionId: string) => `${RETURN}${redemptionId}`;
export const redeemKey = (redemptionId: string) => `${REDEEM}${redemptionId}`;
export const releaseKey = (redemptionId: string) => `${RELEASE}${redemptionId}`;
/** `day`: the cutoff's UTC day, YYYY-MM-DD. */
export const expiryKeySuffix = (day: string) => `:${day}`;
export const expiryKey = (memberId: string, day: string) => `${EXPIRY}${memberId}${expiryKeySuffix(day)}`;
export const adjustKey = (callerKey: string) => `${ADJUST}${callerKey}`;
export const openingKey = (memberId: string) => `${OPENING}${memberId}`;

/** A redemption's key as the redeem URL gives it (its signature); the quantity is added in SQL. */
export const redemptionKey = (orderId: string, signature: string) => `${REDEEM}${orderId}:${signature}`;

export type LedgerKey =
  | { kind: "earn" | "unearn"; orderId: string }
  | { kind: "refund"; orderId: string; payment: string }
  | { kind: "return" | "redeem" | "release"; redemptionId: string }
  | { kind: "expiry"; memberId: string; day: string }
  | { kind: "adjust"; callerKey: string }
  | { kind: "opening"; memberId: string };

/**
 * A ledger key's parts; null for text no builder above writes. Kounta order ids are digits, so the
 * first ':' after `refund:<order>` ends the order.
 */
export function parseLedgerKey(key: string): LedgerKey | null {
  const after = (prefix: string) => (key.startsWith(prefix) && key.length > prefix.length ? key.slice(prefix.length) : null);
  let rest: string | null;
  if ((rest = after(EARN)) !== null) return { kind: "earn", orderId: rest };
  if ((rest = after(UNEARN)) !== null) return { kind: "unearn", orderId: rest };
  if ((rest = after(REFUND)) !== null) {
    const colon = rest.indexOf(":");
    return colon > 0 && colon < rest.length - 1 ? { kind: "refund", orderId: rest.slice(0, colon), payment: rest.slice(colon + 1) } : null;
  }
  if ((rest = after(RETURN)) !== null) return { kind: "return", redemptionId: rest };
  if ((rest = after(REDEEM)) !== null) return { kind: "redeem", redemptionId: rest };
  if ((rest = after(RELEASE)) !== null) return { kind: "release", redemptionId: rest };
  if ((rest = after(EXPIRY)) !== null) {
    const match = /^(.+):(\d{4}-\d{2}-\d{2})$/.exec(rest);
    return match ? { kind: "expiry", memberId: match[1]!, day: match[2]! } : null;
  }
  if ((rest = after(ADJUST)) !== null) return { kind: "adjust", callerKey: rest };
  if ((rest = after(OPENING)) !== null) return { kind: "opening", memberId: rest };
  return null;
}

/** The order of an earn key, or null when `key` is not one. */
export function orderIdOfEarnKey(key: string): string | null {
  const parsed = parseLedgerKey(key);
  return parsed?.kind === "earn" ? parsed.orderId : null;
}

// ---- The same keys inside SQL: each argument is SQL (a bound value or a column of another row) ----

/** The order of earn key `key` (an earn key, as in `e.idempotency_key` of an earning row). */
export function orderIdOfEarnKeySql(key: SQL): SQL {
  return sql`substr(${key}, ${sql.raw(String(EARN.length + 1))})`;
}

export const unearnKeySql = (orderId: SQL): SQL => sql`${literal(UNEARN)} || ${orderId}`;
export const returnKeySql = (redemptionId: SQL): SQL => sql`${literal(RETURN)} || ${redemptionId}`;
export const redeemKeySql = (redemptionId: SQL): SQL => sql`${literal(REDEEM)} || ${redemptionId}`;
export const releaseKeySql = (redemptionId: SQL): SQL => sql`${literal(RELEASE)} || ${redemptionId}`;

/** The expiry key of member `memberId` for the cutoff day whose suffix (expiryKeySuffix) is `suffix`. */
export const expiryKeySql = (memberId: SQL, suffix: string): SQL => sql`${literal(EXPIRY)} || ${memberId} || ${suffix}`;

/**
 * Whether ledger key `key` is one of the order's refund keys (refund:<order>:<payment>): the keys
 * strictly between these two (':' + 1 = ';'), an index range.
 */
export function isRefundKeyOf(key: SQL, orderId: SQL): SQL {
  return sql`(${key} > ${literal(REFUND)} || ${orderId} || ':' AND ${key} < ${literal(REFUND)} || ${orderId} || ';')`;
}

/** What a variable-quantity redemption adds to its key: ':' and the points chosen (text, or NULL for none). */
export const quantitySuffixSql = (quantity: string | null): SQL => sql`':' || ${quantity}`;

/** The key a released redemption keeps (column `key` of redemption `redemptionId`). */
export const failedRedemptionKeySql = (key: SQL, redemptionId: SQL): SQL => sql`${key} || ${literal(FAILED)} || ${redemptionId}`;
