// The catch-up on orders the webhooks missed (the cron): what its callers and tests use. How it
// works: ./job.ts.

export { catchUpOrders, type CatchUpDeps, type CatchUpSummary, type EarnOrder, type ReadOrderStatus, type ReverseOrderRefunds, type UndoOrder } from "./job";
export { readOrderSummaries, type ListCompletedOrders, type ListRejectedOrders, type OrderPage, type OrderSummary } from "./kounta-orders";
export {
  CATCH_UP_WINDOW_MS,
  MAX_COMPANIES,
  MAX_EARN_CALLS,
  MAX_EARN_CALLS_PER_RUN,
  MAX_ORDERS,
  MAX_REFUND_CHECKS,
  MAX_UNDO_CALLS,
  type Limits,
} from "./limits";
export { catchUpDeps, catchUpOrdersJob } from "./worker";
