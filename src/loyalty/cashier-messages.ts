// Every sentence the POS shows a cashier: Kounta displays a call's `error` (and a redemption's) as it
// is. Short, plain, no internals, and saying what to do next when there is something to do. A
// redemption's reason is also stored (redemptions.failure_reason) and shown again on a repeat of it.

/** What any POS call may answer. */
export const serviceMessages = {
  notFound: "Not found",
  internal: "Something went wrong in the loyalty service. Please try again.",
  misconfigured: "The loyalty service is not set up correctly. Please contact support.",
  notConnected: "This business is not connected to the loyalty programme.",
  tooLarge: "The request is too large.",
  unreadable: "The request could not be read.",
} as const;

/** The customer the POS asks about (the reward lookup, a redemption). */
export const memberMessages = {
  notMember: "This customer is not a member of the loyalty programme.",
  inactive: "This membership is no longer active.",
} as const;

/** The customer search's text (src/kounta/customer-search.ts). */
export const searchMessages = {
  keyword: "Type a name, email, phone or card number to search",
  tooLong: (most: number) => `The search text is too long (at most ${most} characters)`,
} as const;

/** A redeem link that cannot be used as it came (src/kounta/redeem.ts). */
export const redeemLinkMessages = {
  invalid: "This reward link is not valid. Open the customer's rewards again.",
  expired: "This reward link has expired. Open the customer's rewards again.",
  noOrder: "This order cannot take rewards yet. Try again once it has been started.",
  quantity: "Choose a whole number of points to spend.",
} as const;

/** How a redemption ended when Kounta did not take it, or did not say (src/loyalty/redemption/redeem-reward.ts). */
export const redeemMessages = {
  unconfirmed: "Kounta did not confirm the reward in time. Check the order: if the reward is not on it, try again in a minute.",
  busy: "Kounta is busy right now. Please try again in a moment.",
  reconnect: "The loyalty programme's connection to Kounta needs renewing. Ask the manager to reconnect it.",
  kountaFailed: "Kounta could not add the reward to the order just now. Please try again.",
  orderNotFound: "Kounta could not find this order.",
  orderRefused: "This order can no longer be changed, so the reward was not added.",
  internal: "Something went wrong in the loyalty service. Check the order before trying again.",
  orderBusy: "Another reward is still being added to this order. Try again in a moment.",
  /** Kounta took the reward after the settling job had already given its points back (it found nothing then). */
  releasedMeanwhile: "The points for this reward were given back before Kounta added it. Check the order: take the reward off it, then try again.",
  sameQuantityUnconfirmed:
    "These points were already chosen for this reward on this order, and Kounta has not confirmed them yet. Check the order; to spend more, choose another number.",
} as const;

/** Why a redemption reserved no points (src/loyalty/redemption/redemption.ts). */
export const refusalMessages = {
  notConnected: serviceMessages.notConnected,
  notMember: memberMessages.notMember,
  inactive: memberMessages.inactive,
  unavailable: "This reward is no longer available.",
  changed: "This reward has changed. Open the customer's rewards again.",
  /** Nothing in the data says why (a reward or balance changed between the statements of one batch cannot happen). */
  refused: "This reward could not be redeemed. Open the customer's rewards again.",
  chooseHowMany: (label: string) => `Choose how many ${label} to spend.`,
  notEnough: (label: string, balance: number, needed: number) => `Not enough ${label}: ${balance} of ${needed}`,
  atMost: (most: number, label: string) => `At most ${most} ${label} can be spent on this reward.`,
  tierOnly: (tier: string | null) => (tier ? `This reward is for ${tier} members and above.` : "This reward is not available at this member's level."),
  perOrder: (most: number) => `Limit reached: at most ${most} ${most === 1 ? "reward" : "rewards"} per order.`,
  perDay: (most: number) => `Limit reached: at most ${most} ${most === 1 ? "reward" : "rewards"} a day per member. Try again tomorrow.`,
  pointsPerDay: (most: number, label: string, today: number) =>
    `Limit reached: at most ${most} ${label} a day per member (${today} already redeemed today).`,
} as const;

/** A reward that cannot be applied as it is set up, or to the order as it stands (src/loyalty/redemption/apply-reward.ts). */
export const rewardSetupMessages = {
  noProduct: "This reward has no product set up. Ask the manager to fix it.",
  noRewardProduct: "No reward product is set up for discounts. Ask the manager to fix it.",
  noAmount: "This reward has no amount set up. Ask the manager to fix it.",
  noPointValue: "Points have no value set up. Ask the manager to fix it.",
  noPercentage: "This reward has no percentage set up. Ask the manager to fix it.",
  nothingToDiscount: "The order has nothing to discount yet. Add the items first.",
  noRoomForPercentage: "This order cannot take another percentage reward.",
  /** Points as payment, or an amount off (its line or a payment), on an order with nothing left to pay (src/loyalty/redemption/order-owing.ts). */
  nothingOwed: "This order has nothing left to pay, so points cannot pay for it.",
  /** Kounta's order did not say its total: what it owes is unknown, so nothing is paid. */
  owingUnknown: "Kounta did not say what this order owes, so points cannot pay for it. Please try again.",
  /** More points chosen than the order owes: `owed` as the customer reads it ("$15.40"), `most` the points that pay it at most. */
  moreThanOwed: (owed: string, most: number, label: string) =>
    most > 0 ? `This order owes ${owed}: use at most ${most} ${label}.` : `This order owes ${owed}, less than one of the ${label} is worth.`,
} as const;

/** Why this order cannot take the reward, by its status (src/loyalty/redemption/order-status.ts). */
export function orderStatusMessage(status: string): string {
  switch (status.toUpperCase()) {
    case "COMPLETE":
      return "This sale is already complete, so it cannot take a reward.";
    case "REJECTED":
      return "This order was cancelled, so it cannot take a reward.";
    case "ACCEPTED":
      return "This order has been accepted, so its items can no longer change. The reward was not added.";
    default:
      return redeemMessages.orderRefused;
  }
}

/** Why the settling job gave a pending redemption's points back (src/jobs/settle-redemptions.ts). */
export const settleReasons = {
  absent: "It was not on the order when checked later.",
  undone: "Only part of the discount reached the order, so it was taken off again.",
  kept: "Only part of the discount reached the order, which can no longer change.",
  gone: "Kounta no longer has the order.",
  cancelled: "The order was cancelled.",
} as const;
