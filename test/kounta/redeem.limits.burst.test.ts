import { describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { orderClaims } from "../../src/storage/schema";
import { db } from "../harness";
import { kounta } from "../kounta-harness";
import { balanceOf, ledgerOf, redeem, redeemUrl, redemptionsOf } from "../redeem-harness";
import { flagsOfKind, limitedSeed, reserveAt, type Seeded, utcDayOf } from "./limits.fixtures";

// Each limit under a parallel burst: N redeem calls at once, each a Worker invocation of its own.
// The limits are conditions of the reserve batch's debit, so exactly the allowed number succeed,
// whatever the interleaving; the rest are refused with the limit's sentence and charge nothing.

const seed = limitedSeed();

/** The answers of a burst, counted: how many succeeded, and each distinct refusal with how often. */
function tally(answers: { success: boolean; error?: string }[]) {
  const refused: Record<string, number> = {};
  for (const a of answers) if (!a.success) refused[a.error!] = (refused[a.error!] ?? 0) + 1;
  return { succeeded: answers.filter((a) => a.success).length, refused };
}

async function expectCharged(s: Seeded, opening: number, points: number[]) {
  const done = await redemptionsOf(s);
  expect(done.map((r) => r.status)).toEqual(points.map(() => "applied"));
  expect(done.map((r) => r.points).sort()).toEqual([...points].sort());
  const charged = points.reduce((a, b) => a + b, 0);
  expect(await balanceOf(s)).toBe(opening - charged);
  const ledger = await ledgerOf(s);
  expect(ledger.filter((l) => l.reason === "redeem").map((l) => -l.delta).sort()).toEqual([...points].sort());
  expect(ledger.filter((l) => l.reason === "reversal")).toEqual([]);
}

describe("a burst against the redemptions a member may make in a day", () => {
  it("8 at once on 8 orders with a limit of 3: exactly 3 succeed, 5 refused and flagged 5 times", async () => {
    const s = await seed(10_000, { maxRedemptionsPerMemberDay: 3 });
    const links = await Promise.all(Array.from({ length: 8 }, (_, i) => redeemUrl(s, "coffee", String(6600 + i))));

    const answers = await Promise.all(links.map((url) => redeem(url)));

    const sentence = "Limit reached: at most 3 rewards a day per member. Try again tomorrow.";
    expect(tally(answers)).toEqual({ succeeded: 3, refused: { [sentence]: 5 } });
    await expectCharged(s, 10_000, [500, 500, 500]);
    expect(await flagsOfKind(s.company.id, "limit_refused")).toEqual([{ memberId: s.memberId, day: utcDayOf(Date.now()), count: 5, detail: sentence }]);
  });

  it("two members bursting at once each get their own 2", async () => {
    const s = await seed(10_000, { maxRedemptionsPerMemberDay: 2 });
    const other: Seeded = { ...s, memberId: await s.company.addMember({ firstName: "Jane", lastName: "Doe", openingPoints: 10_000 }) };
    const links = await Promise.all([
      ...[0, 1, 2, 3, 4].map((i) => redeemUrl(s, "pct", String(6610 + i))),
      ...[5, 6, 7, 8, 9].map((i) => redeemUrl(other, "pct", String(6610 + i))),
    ]);

    const answers = await Promise.all(links.map((url) => redeem(url)));

    const sentence = "Limit reached: at most 2 rewards a day per member. Try again tomorrow.";
    expect(tally(answers.slice(0, 5))).toEqual({ succeeded: 2, refused: { [sentence]: 3 } });
    expect(tally(answers.slice(5))).toEqual({ succeeded: 2, refused: { [sentence]: 3 } });
    expect(await balanceOf(s)).toBe(9400);
    expect(await balanceOf(other)).toBe(9400);
    expect((await flagsOfKind(s.company.id, "limit_refused")).map((f) => [f.memberId, f.count]).sort()).toEqual(
      [[s.memberId, 3], [other.memberId, 3]].sort(),
    );
  });
});

describe("a burst against the redemptions an order may take", () => {
  it("6 at once on one order that may take 2: exactly 2 are on the order, 4 refused", async () => {
    const s = await seed(10_000, { maxRedemptionsPerOrder: 2 });
    await kounta.api(s.company.id, "GET", "orders/6620");
    const links = await Promise.all(Array.from({ length: 6 }, () => redeemUrl(s, "coffee", "6620")));
    // Slow enough that the six really overlap (one at a time changes the order; the rest wait for it).
    await kounta.fault(s.company.id, "slow", { delay_ms: 60, times: 4 });

    const answers = await Promise.all(links.map((url) => redeem(url)));

    expect(tally(answers)).toEqual({ succeeded: 2, refused: { "Limit reached: at most 2 rewards per order.": 4 } });
    await expectCharged(s, 10_000, [500, 500]);
    const order = await kounta.order(s.company.id, "6620");
    const ours = order.lines.filter((l: { notes?: string }) => l.notes?.startsWith("Loyalty reward "));
    expect(ours).toHaveLength(2);
  });

  it("reservations of one order at the same moment: one reserves; with its claim gone, a second burst still takes none", async () => {
    const s = await seed(10_000, { maxRedemptionsPerOrder: 1 });
    const now = Date.now();

    const results = await Promise.all(Array.from({ length: 6 }, () => reserveAt(s, "pct", "6621", now)));

    // The order's claim lets one reservation at a time change the order: the rest are told to wait.
    expect(results.map((r) => r.outcome).sort()).toEqual(["busy", "busy", "busy", "busy", "busy", "reserved"]);
    // The reservation left pending (a crash) and its claim run out: the limit alone holds the order.
    await db.delete(orderClaims).where(and(eq(orderClaims.companyId, s.company.id), eq(orderClaims.orderId, "6621")));

    const again = await Promise.all(Array.from({ length: 5 }, () => reserveAt(s, "coffee", "6621", now + 1)));

    expect(again).toEqual(Array.from({ length: 5 }, () => ({ outcome: "refused", reason: "Limit reached: at most 1 reward per order." })));
    expect(await balanceOf(s)).toBe(9700);
    expect((await redemptionsOf(s)).map((r) => [r.orderId, r.status])).toEqual([["6621", "pending"]]);
  });
});

describe("a burst against the points a member may redeem in a day", () => {
  it("6 coffees (500) at once with 1,500 a day: exactly 3 succeed", async () => {
    const s = await seed(10_000, { maxPointsPerMemberDay: 1500 });
    const links = await Promise.all(Array.from({ length: 6 }, (_, i) => redeemUrl(s, "coffee", String(6630 + i))));

    const answers = await Promise.all(links.map((url) => redeem(url)));

    expect(tally(answers)).toEqual({
      succeeded: 3,
      refused: { "Limit reached: at most 1500 Points a day per member (1500 already redeemed today).": 3 },
    });
    await expectCharged(s, 10_000, [500, 500, 500]);
  });

  it("points payments of 400 at once with 1,000 a day: exactly 2, never a third that would pass it", async () => {
    const s = await seed(10_000, { maxPointsPerMemberDay: 1000 });
    const links = await Promise.all(Array.from({ length: 5 }, (_, i) => redeemUrl(s, "pay", String(6640 + i), 400)));

    const answers = await Promise.all(links.map((url) => redeem(url)));

    expect(tally(answers)).toEqual({
      succeeded: 2,
      refused: { "Limit reached: at most 1000 Points a day per member (800 already redeemed today).": 3 },
    });
    await expectCharged(s, 10_000, [400, 400]);
  });

  it("every limit at once: the tightest decides, and the ledger still sums to the balance", async () => {
    const s = await seed(10_000, { maxRedemptionsPerMemberDay: 4, maxRedemptionsPerOrder: 1, maxPointsPerMemberDay: 1200 });
    // Three on one order, five on orders of their own: at most one of the three, and 1,200 points of 300s is 4.
    const links = await Promise.all([
      ...[0, 1, 2].map(() => redeemUrl(s, "pct", "6650")),
      ...[1, 2, 3, 4, 5].map((i) => redeemUrl(s, "pct", String(6650 + i))),
    ]);

    const answers = await Promise.all(links.map((url) => redeem(url)));

    expect(answers.filter((a) => a.success)).toHaveLength(4);
    expect(answers.slice(0, 3).filter((a) => a.success).length).toBeLessThanOrEqual(1);
    const refusals = new Set(["Limit reached: at most 1 reward per order.", "Limit reached: at most 4 rewards a day per member. Try again tomorrow."]);
    for (const a of answers.filter((x) => !x.success)) expect(refusals).toContain(a.error);
    await expectCharged(s, 10_000, [300, 300, 300, 300]);
  });
});
