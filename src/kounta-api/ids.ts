// Kounta's order ids are positive integers, sent as JSON numbers, `id_str` strings (beyond 2^53) or
// query parameters. One order must be one id wherever it enters (the redeem call, a webhook, a job's
// list, an order read back), or `04001432` and `4001432` would be two redemptions, two earnings, on
// what Kounta treats as one order. So every order id is read through this one function: white space
// around it and leading zeros are dropped; a sign, a fraction, zero or anything else is no order id.

const MAX_DIGITS = 20;

/** The order id as Kounta means it (digits, no leading zero), or null when `raw` is not one. */
export function parseOrderId(raw: unknown): string | null {
  if (typeof raw === "number") return Number.isSafeInteger(raw) && raw > 0 ? String(raw) : null;
  if (typeof raw !== "string") return null;
  const digits = /^\s*0*([1-9]\d*)\s*$/.exec(raw)?.[1];
  return digits !== undefined && digits.length <= MAX_DIGITS ? digits : null;
}
