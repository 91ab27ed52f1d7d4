// How much one catch-up run may do, and the windows it looks through (src/jobs/catch-up/job.ts).

export const CATCH_UP_WINDOW_MS = 2 * 24 * 3600_000;
export const MAX_COMPANIES = 20;
export const MAX_ORDERS = 200;
export const MAX_EARN_CALLS = 25;
/** Earning calls in all (each a few D1 queries and Kounta calls, within one invocation's limits). */
export const MAX_EARN_CALLS_PER_RUN = 50;
/** Rejected orders undone per run, all companies together (each one read and one batch; rare). */
export const MAX_UNDO_CALLS = 25;
/** Earned orders read again per run, all companies together, because Kounta changed them since. */
export const MAX_REFUND_CHECKS = 25;
/** Refund re-reads per company and run, so that one company's changed orders cannot take them all. */
export const REFUND_CHECKS_PER_COMPANY = 10;
export const SLOT_MS = 5 * 60_000;
export const PER_COMPANY_MS = 30_000;
/** Ids per ledger check: one bound value each, below D1's 100 per statement. */
export const KEYS_PER_QUERY = 90;
/** A summary without an updated_at that was read standing is read again after this long. */
export const STANDING_RECHECK_MS = 3600_000;

/** How much one run may do (defaults: the MAX_ constants above). */
export interface Limits {
  companies: number;
  orders: number;
  earnCalls: number;
  earnCallsPerRun: number;
  undoCalls: number;
  refundChecks: number;
}
