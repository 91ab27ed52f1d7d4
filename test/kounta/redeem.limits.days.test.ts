import { describe, expect, it } from "vitest";
import { confirmRedemption, releaseRedemption } from "../../src/loyalty/redemption/redemption";
import { db } from "../harness";
import { balanceOf, ledgerOf, redemptionsOf } from "../redeem-harness";
import { expectReserved, flagsOf, limitedSeed, reserveAt, utcDayOf } from "./limits.fixtures";

// The limits' day is the UTC day of the redemption: what was redeemed before midnight UTC counts on
// that day only. Reservations here are made at chosen times (the points side, as the till's would).

const seed = limitedSeed();
const DAY = Date.UTC(2026, 10, 20); // 2026-11-20T00:00:00Z
const at = (hours: number, minutes = 0, ms = 0) => DAY + hours * 3_600_000 + minutes * 60_000 + ms;
const LAST_MS = at(23, 59, 59_999);
const NEXT_DAY = at(24);

describe("the limits count per UTC day", () => {
  it("a redemption a day: the first of the day counts until 23:59:59.999 UTC, the next day allows one again", async () => {
    const s = await seed(5000, { maxRedemptionsPerMemberDay: 1 });
    expectReserved(await reserveAt(s, "coffee", "6501", DAY));

    expect(await reserveAt(s, "pct", "6502", LAST_MS)).toEqual({
      outcome: "refused",
      reason: "Limit reached: at most 1 reward a day per member. Try again tomorrow.",
    });
    expectReserved(await reserveAt(s, "pct", "6503", NEXT_DAY));
    expect(await reserveAt(s, "pct", "6504", NEXT_DAY + 1)).toMatchObject({ outcome: "refused" });

    expect(await balanceOf(s)).toBe(4200);
    expect((await redemptionsOf(s)).map((r) => [r.orderId, r.createdAt])).toEqual([["6501", DAY], ["6503", NEXT_DAY]]);
  });

  it("the points of the day: 900 of 1,000 before midnight, a full 1,000 again after it", async () => {
    const s = await seed(5000, { maxPointsPerMemberDay: 1000 });
    expectReserved(await reserveAt(s, "coffee", "6511", at(9)));
    expectReserved(await reserveAt(s, "pay", "6512", at(12), { quantity: 400 }));

    expect(await reserveAt(s, "pay", "6513", LAST_MS, { quantity: 101 })).toEqual({
      outcome: "refused",
      reason: "Limit reached: at most 1000 Points a day per member (900 already redeemed today).",
    });
    expectReserved(await reserveAt(s, "pay", "6514", LAST_MS, { quantity: 100 }));
    expectReserved(await reserveAt(s, "five", "6515", NEXT_DAY));

    expect(await balanceOf(s)).toBe(3000);
    // The opening balance was written today, after these dated rows.
    expect((await ledgerOf(s)).map((l) => l.delta)).toEqual([-500, -400, -100, -1000, 5000]);
  });

  it("an order's limit is not a day's: an order that took its reward yesterday takes none today", async () => {
    const s = await seed(5000, { maxRedemptionsPerOrder: 1 });
    const first = expectReserved(await reserveAt(s, "coffee", "6521", at(23)));
    expect(await confirmRedemption(db, { companyId: s.company.id, redemptionId: first, kountaRef: "line:3", now: at(23, 1) })).toBe(true);

    expect(await reserveAt(s, "pct", "6521", NEXT_DAY + 3_600_000)).toEqual({ outcome: "refused", reason: "Limit reached: at most 1 reward per order." });
    expect(await balanceOf(s)).toBe(4500);
  });

  it("an applied redemption counts as a pending one does; a released one gives its count and its points of the day back", async () => {
    const s = await seed(5000, { maxRedemptionsPerMemberDay: 2, maxPointsPerMemberDay: 1000 });
    const applied = expectReserved(await reserveAt(s, "coffee", "6531", at(8)));
    await confirmRedemption(db, { companyId: s.company.id, redemptionId: applied, kountaRef: "line:3", now: at(8, 1) });
    const failed = expectReserved(await reserveAt(s, "coffee", "6532", at(9)));

    expect(await reserveAt(s, "pct", "6533", at(10))).toEqual({
      outcome: "refused",
      reason: "Limit reached: at most 2 rewards a day per member. Try again tomorrow.",
    });

    expect(await releaseRedemption(db, { companyId: s.company.id, redemptionId: failed, reason: "Order closed", now: at(10, 1) })).toBe(true);
    // One redemption and 500 points of the day left again: 500 fits, 501 does not.
    expect(await reserveAt(s, "pay", "6534", at(11), { quantity: 501 })).toEqual({
      outcome: "refused",
      reason: "Limit reached: at most 1000 Points a day per member (500 already redeemed today).",
    });
    expectReserved(await reserveAt(s, "pay", "6535", at(11), { quantity: 500 }));
    expect(await balanceOf(s)).toBe(4000);
  });

  it("each refusal is flagged on its own UTC day, counted per day", async () => {
    const s = await seed(5000, { maxRedemptionsPerMemberDay: 1 });
    expectReserved(await reserveAt(s, "pct", "6541", at(1)));
    expect((await reserveAt(s, "pct", "6542", at(2))).outcome).toBe("refused");
    expect((await reserveAt(s, "pct", "6543", LAST_MS)).outcome).toBe("refused");
    expectReserved(await reserveAt(s, "pct", "6544", NEXT_DAY));
    expect((await reserveAt(s, "pct", "6545", NEXT_DAY + 60_000)).outcome).toBe("refused");

    const sentence = "Limit reached: at most 1 reward a day per member. Try again tomorrow.";
    expect(await flagsOf(s.company.id)).toEqual([
      { memberId: s.memberId, kind: "limit_refused", day: utcDayOf(DAY), count: 2, detail: sentence },
      { memberId: s.memberId, kind: "limit_refused", day: utcDayOf(NEXT_DAY), count: 1, detail: sentence },
    ]);
  });
});

describe("no limit set", () => {
  it("many redemptions and points in a day are allowed, and nothing is flagged", async () => {
    const s = await seed(5000, { maxRedemptionsPerMemberDay: null, maxRedemptionsPerOrder: null, maxPointsPerMemberDay: null });
    for (let i = 0; i < 6; i++) expectReserved(await reserveAt(s, "pct", "6551", at(10, i)));
    expect(await balanceOf(s)).toBe(3200);
    expect(await flagsOf(s.company.id)).toEqual([]);
  });
});
