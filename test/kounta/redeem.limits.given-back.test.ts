import { describe, expect, it } from "vitest";
import { undoOrder } from "../../src/loyalty/earning/undo-order";
import { db } from "../harness";
import { balanceOf, redeem, redeemUrl, redemptionsOf } from "../redeem-harness";
import { flagsOf, limitedSeed, reserveAt } from "./limits.fixtures";

// What the limits count when points were given back another way than a release: an applied
// redemption on an order later rejected or deleted (its `return:` row) no longer counts; and a
// quantity the reward cannot take is refused for that, not for a limit.

const seed = limitedSeed();

describe("the limits and points given back", () => {
  it("an applied redemption whose order was undone no longer counts toward the day's limits", async () => {
    const s = await seed(5000, { maxRedemptionsPerMemberDay: 1, maxPointsPerMemberDay: 500 });
    const [first, second] = await Promise.all([redeemUrl(s, "coffee", "6501"), redeemUrl(s, "coffee", "6502")]);
    expect(await redeem(first!)).toEqual({ success: true });
    expect(await redeem(second!)).toEqual({ success: false, error: "Limit reached: at most 1 reward a day per member. Try again tomorrow." });

    // The cashier voids order 6501: its redemption's points come back (a `return:` row), it stays applied.
    expect(await undoOrder(db, { companyId: s.company.id, orderId: "6501", reason: "rejected", now: Date.now() })).toEqual({ reversed: 0, returned: 500 });
    expect(await balanceOf(s)).toBe(5000);

    expect(await redeem(second!)).toEqual({ success: true });
    expect(await balanceOf(s)).toBe(4500);
    expect((await redemptionsOf(s)).map((r) => [r.orderId, r.status])).toEqual([["6501", "applied"], ["6502", "applied"]]);
  });

  it("a quantity over the reward's cap is refused for the cap, not for the day's points, and flags nothing", async () => {
    const s = await seed(5000, { maxPointsPerMemberDay: 600 });
    // "Pay with points" takes at most 2000 points a redemption.
    const over = await reserveAt(s, "pay", "6510", Date.now(), { quantity: 2500 });
    expect(over).toEqual({ outcome: "refused", reason: "At most 2000 Points can be spent on this reward." });
    const none = await reserveAt(s, "pay", "6511", Date.now(), { quantity: 0 });
    expect(none).toEqual({ outcome: "refused", reason: "Choose how many Points to spend." });
    // Within the cap but over the day's points: the limit.
    const limited = await reserveAt(s, "pay", "6512", Date.now(), { quantity: 700 });
    expect(limited).toEqual({ outcome: "refused", reason: "Limit reached: at most 600 Points a day per member (0 already redeemed today)." });
    expect((await flagsOf(s.company.id)).map((f) => [f.kind, f.count])).toEqual([["limit_refused", 1]]);
    expect(await balanceOf(s)).toBe(5000);
  });
});
