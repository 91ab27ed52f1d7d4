import { describe, expect, it } from "vitest";
import { computeDailyFlags } from "../../../src/loyalty/flags/flags";
import { db } from "../../harness";
import { at, D, DAY_MS, earnAt, flagSeed, flagsOf, redeemAt, refundAt, rejectAt, returnAt } from "./flags.fixtures";

// reversed_orders: a member whose earnings were taken back (an order rejected or deleted, a sale
// refunded) on more than two orders within 30 days, flagged on the day of such a reversal.

const seed = flagSeed();
const compute = (companyId: string, day: number, throughDay = day) => computeDailyFlags(db, companyId, day, throughDay, at(throughDay + 1, 0, 5));

/** An earning on a new order at `earned`, reversed (rejected) at `reversed`. */
async function earnedThenReversed(s: Awaited<ReturnType<typeof seed>>, earned: number, reversed: number): Promise<string> {
  const orderId = await earnAt(s, earned, { points: 40 });
  await rejectAt(s, orderId, reversed);
  return orderId;
}

describe("orders that earned, reversed more than twice in 30 days", () => {
  it("3 within 30 days: flagged on the day of the third, counted 3", async () => {
    const s = await seed();
    await earnedThenReversed(s, at(D - 21), at(D - 20));
    await earnedThenReversed(s, at(D - 11), at(D - 10));
    await earnedThenReversed(s, at(D - 1), at(D, 9));

    await compute(s.company.id, D);

    expect(await flagsOf(s.company.id)).toEqual([
      { memberId: s.memberId, kind: "reversed_orders", day: D, count: 3, detail: "3 orders that earned were reversed in 30 days" },
    ]);
  });

  it("2 are not flagged", async () => {
    const s = await seed();
    await earnedThenReversed(s, at(D - 11), at(D - 10));
    await earnedThenReversed(s, at(D - 1), at(D, 9));

    await compute(s.company.id, D - 10, D);

    expect(await flagsOf(s.company.id)).toEqual([]);
  });

  it("the 30 days are the day and the 29 before it: one reversed 30 days before does not count", async () => {
    const inside = await seed();
    await earnedThenReversed(inside, at(D - 40), (D - 29) * DAY_MS);
    await earnedThenReversed(inside, at(D - 6), at(D - 5));
    await earnedThenReversed(inside, at(D - 1), at(D));
    const outside = await seed();
    await earnedThenReversed(outside, at(D - 40), (D - 29) * DAY_MS - 1);
    await earnedThenReversed(outside, at(D - 6), at(D - 5));
    await earnedThenReversed(outside, at(D - 1), at(D));

    await compute(inside.company.id, D);
    await compute(outside.company.id, D);

    expect((await flagsOf(inside.company.id)).map((f) => [f.kind, f.day, f.count])).toEqual([["reversed_orders", D, 3]]);
    expect(await flagsOf(outside.company.id)).toEqual([]);
  });

  it("flagged only on a day with such a reversal: the days after it are not, until another", async () => {
    const s = await seed();
    await earnedThenReversed(s, at(D - 3), at(D - 2));
    await earnedThenReversed(s, at(D - 3), at(D - 1));
    await earnedThenReversed(s, at(D - 3), at(D));
    await earnedThenReversed(s, at(D - 3), at(D + 3));

    await compute(s.company.id, D - 2, D + 4);

    expect((await flagsOf(s.company.id)).map((f) => [f.day, f.count, f.detail])).toEqual([
      [D, 3, "3 orders that earned were reversed in 30 days"],
      [D + 3, 4, "4 orders that earned were reversed in 30 days"],
    ]);
  });

  it("refunds count by order: two partial refunds of one sale are one order", async () => {
    const s = await seed();
    const a = await earnAt(s, at(D - 5), { points: 40 });
    const b = await earnAt(s, at(D - 5, 13), { points: 40 });
    await refundAt(s, a, at(D - 4), "1");
    await refundAt(s, a, at(D - 3), "2");
    await refundAt(s, b, at(D), "1");

    await compute(s.company.id, D - 5, D);
    expect(await flagsOf(s.company.id)).toEqual([]);

    // A third order refunded: now three.
    const c = await earnAt(s, at(D + 1, 9), { points: 40 });
    await refundAt(s, c, at(D + 1, 10), "1");
    await compute(s.company.id, D + 1);
    expect((await flagsOf(s.company.id)).map((f) => [f.kind, f.day, f.count])).toEqual([["reversed_orders", D + 1, 3]]);
  });

  it("redeemed points given back are not an earning reversed", async () => {
    const s = await seed();
    await earnedThenReversed(s, at(D - 6), at(D - 5));
    await earnedThenReversed(s, at(D - 6), at(D - 4));
    for (const day of [D - 3, D - 1]) await returnAt(s, at(day, 15), await redeemAt(s, at(day, 14)));
    await returnAt(s, at(D, 15), await redeemAt(s, at(D, 14)));

    await compute(s.company.id, D - 5, D);

    expect(await flagsOf(s.company.id)).toEqual([]);
  });

  it("each member's own: three members with one reversal each are not flagged", async () => {
    const s = await seed();
    await earnedThenReversed(s, at(D - 2), at(D));
    for (const firstName of ["Jane", "Ann"]) {
      const memberId = await s.company.addMember({ firstName, lastName: "Doe", openingPoints: 100 });
      const orderId = await earnAt(s, at(D - 2), { memberId, points: 40 });
      await rejectAt(s, orderId, at(D, 13));
    }

    await compute(s.company.id, D);

    expect(await flagsOf(s.company.id)).toEqual([]);
  });

  it("a rerun rewrites the same row", async () => {
    const s = await seed();
    for (const day of [D - 2, D - 1, D]) await earnedThenReversed(s, at(day - 1), at(day));

    await compute(s.company.id, D);
    await compute(s.company.id, D);

    expect((await flagsOf(s.company.id)).map((f) => [f.kind, f.day, f.count])).toEqual([["reversed_orders", D, 3]]);
  });
});
