import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { findRedemptionOnOrder } from "../../src/loyalty/redemption/read-back";
import { redeemMessages } from "../../src/loyalty/cashier-messages";
import { orderClaims } from "../../src/storage/schema";
import { orderSchema } from "../../src/kounta-api/types";
import { db } from "../harness";
import { kounta } from "../kounta-harness";
import { balanceOf, ledgerOf, redeem, redeemUrl, redemptionsOf, seedRedemption } from "../redeem-harness";

// Rewards redeemed on one order at the same moment: separate Worker invocations (each redeem call
// goes through the Worker's fetch), against a Kounta stand-in slowed down so that they really
// overlap. One redemption at a time changes an order (order_claims): every redemption that answers
// success is on the order in full, and a member is charged only for what is.

type Seeded = Awaited<ReturnType<typeof seedRedemption>>;

const pctNote = (id: string, i: number, n: number, was: number) => `Loyalty reward ${id} (${i}/${n}, was ${was}): 20% off`;

async function slowKounta(s: Seeded, delayMs: number, times: number) {
  await kounta.fault(s.company.id, "slow", { delay_ms: delayMs, times });
}

async function claimsOf(s: Seeded) {
  return db.select().from(orderClaims).where(eq(orderClaims.companyId, s.company.id));
}

/** Opens the stand-in's order (two priced lines: 2 x Flat white, 1 x Banana bread) before the redemptions race for it. */
async function openOrder(s: Seeded, orderId: string) {
  await kounta.api(s.company.id, "GET", `orders/${orderId}`);
}

describe("two percent-off redemptions on one order at the same moment", () => {
  it("both answer success and both are on the order in full: each line at 0.8 x 0.8", async () => {
    const s = await seedRedemption(1250);
    await openOrder(s, "9101");
    const [first, second] = await Promise.all([redeemUrl(s, "pct", "9101"), redeemUrl(s, "pct", "9101")]);
    const seen = (await kounta.calls(s.company.id)).length;
    await slowKounta(s, 150, 6);

    const answers = await Promise.all([redeem(first!), redeem(second!)]);

    expect(answers).toEqual([{ success: true }, { success: true }]);
    const done = await redemptionsOf(s);
    expect(done.map((r) => [r.status, r.points, r.kountaRef])).toEqual([
      ["applied", 300, "lines:1,2"],
      ["applied", 300, "lines:1,2"],
    ]);
    // One after the other: a read and two PUTs, then the next read (after the first's PUTs) and its PUTs.
    const calls = (await kounta.calls(s.company.id)).slice(seen).map((c) => `${c.method} ${c.path.replace(`/v1/companies/${s.company.id}/orders/`, "")}`);
    expect(calls).toEqual(["GET 9101.json", "PUT 9101/lines/1.json", "PUT 9101/lines/2.json", "GET 9101.json", "PUT 9101/lines/1.json", "PUT 9101/lines/2.json"]);
    const order = await kounta.order(s.company.id, "9101");
    // Whichever got the order first has its note first.
    const [a, b] = order.lines[0].notes.startsWith(`Loyalty reward ${done[0]!.id} `) ? [done[0]!, done[1]!] : [done[1]!, done[0]!];
    expect(order.lines.map((l: { price_variation: number; notes: string }) => [l.price_variation, l.notes])).toEqual([
      [0.64, `${pctNote(a.id, 1, 2, 1)} | ${pctNote(b.id, 1, 2, 0.8)}`],
      [0.64, `${pctNote(a.id, 2, 2, 1)} | ${pctNote(b.id, 2, 2, 0.8)}`],
    ]);
    expect(await balanceOf(s)).toBe(650);
    expect((await ledgerOf(s)).map((l) => [l.reason, l.delta])).toEqual([["adjustment", 1250], ["redeem", -300], ["redeem", -300]]);
    // Both closed: the order is free again.
    expect(await claimsOf(s)).toEqual([]);
  });

  it("amount off and percent off at once: both on the order, the $5 line not discounted by the 20%", async () => {
    const s = await seedRedemption(5000);
    await openOrder(s, "9102");
    const [five, pct] = await Promise.all([redeemUrl(s, "five", "9102"), redeemUrl(s, "pct", "9102")]);
    await slowKounta(s, 150, 6);

    expect(await Promise.all([redeem(five!), redeem(pct!)])).toEqual([{ success: true }, { success: true }]);

    const done = await redemptionsOf(s);
    expect(done.map((r) => [r.kind, r.status]).sort()).toEqual([["amount_off", "applied"], ["percent_off", "applied"]]);
    const order = await kounta.order(s.company.id, "9102");
    const parsed = orderSchema.parse(order);
    for (const r of done) expect(findRedemptionOnOrder(parsed, r.id).found).toBe("all");
    const priced = order.lines.filter((l: { unit_price: number }) => l.unit_price > 0);
    expect(priced.map((l: { price_variation: number }) => l.price_variation)).toEqual([0.8, 0.8]);
    const reward = order.lines.filter((l: { unit_price: number }) => l.unit_price < 0);
    expect(reward.map((l: { unit_price: number; price_variation: number }) => [l.unit_price, l.price_variation])).toEqual([[-5, 1]]);
    expect(await balanceOf(s)).toBe(3700);
  });

  it("a redemption that cannot get the order in time is refused and charges nothing", async () => {
    const s = await seedRedemption(1250);
    await openOrder(s, "9103");
    const [first, second] = await Promise.all([redeemUrl(s, "pay", "9103", 100), redeemUrl(s, "coffee", "9103")]);
    // The payment's read and POST take 7 seconds between them: the coffee, a moment later, waits for
    // the order until too little of its own time is left, and is refused.
    await slowKounta(s, 3_500, 2);

    const answers = await Promise.all([redeem(first!), new Promise((r) => setTimeout(r, 50)).then(() => redeem(second!))]);

    expect(answers).toEqual([{ success: true }, { success: false, error: redeemMessages.orderBusy }]);
    expect((await redemptionsOf(s)).map((r) => [r.kind, r.status])).toEqual([["points_payment", "applied"]]);
    expect(await balanceOf(s)).toBe(1150);
    expect((await ledgerOf(s)).map((l) => [l.reason, l.delta])).toEqual([["adjustment", 1250], ["redeem", -100]]);
    expect(await kounta.apiCalls(s.company.id)).toEqual([
      `GET /v1/companies/${s.company.id}/orders/9103.json`,
      `GET /v1/companies/${s.company.id}/orders/9103.json`,
      `POST /v1/companies/${s.company.id}/orders/9103/payments.json`,
    ]);
  }, 30_000);
});

describe("a burst of 10 redemptions of mixed kinds on one order", () => {
  it("leaves the order and the ledger in agreement: every reward charged is applied in full, none applied is charged", async () => {
    // Enough for all ten (3 x 500 + 2 x 1,000 + 2 x 300 + 3 x 100 = 4,400): any that is not applied
    // was refused for want of the order's time, and must have cost nothing.
    const s = await seedRedemption(5000);
    await openOrder(s, "9200");
    // 20 flat whites: whatever comes first, the order still owes more than the points pay (a loyalty
    // payment is never more than what is owed, redeem.owing.test.ts).
    await kounta.api(s.company.id, "PUT", "orders/9200/lines/1", { quantity: 20 });
    const links = await Promise.all([
      ...["coffee", "coffee", "coffee", "five", "five", "pct", "pct"].map((reward) => redeemUrl(s, reward, "9200")),
      ...[1, 2, 3].map(() => redeemUrl(s, "pay", "9200", 100)),
    ]);
    await slowKounta(s, 40, 60);

    const answers = await Promise.all(links.map((url) => redeem(url)));

    const done = await redemptionsOf(s);
    const applied = done.filter((r) => r.status === "applied");
    // Nothing left in between, and as many applied as answered success.
    expect(done.filter((r) => r.status === "pending")).toEqual([]);
    expect(answers.filter((a) => a.success)).toHaveLength(applied.length);
    expect(applied.length).toBeGreaterThan(0);
    for (const a of answers.filter((x) => !x.success)) expect(a).toEqual({ success: false, error: redeemMessages.orderBusy });
    // The member paid exactly for what was applied, and the ledger says so.
    const charged = applied.reduce((sum, r) => sum + r.points, 0);
    expect(await balanceOf(s)).toBe(5000 - charged);
    const ledger = await ledgerOf(s);
    expect(ledger.filter((l) => l.reason === "redeem").length - ledger.filter((l) => l.reason === "reversal").length).toBe(applied.length);
    // The order carries every applied reward in full and nothing of the others.
    const order = orderSchema.parse(await kounta.order(s.company.id, "9200"));
    for (const r of done) expect([r.id, findRedemptionOnOrder(order, r.id).found]).toEqual([r.id, r.status === "applied" ? "all" : "none"]);
    const percents = applied.filter((r) => r.kind === "percent_off").length;
    const priced = order.lines.filter((l) => (l.unit_price ?? 0) > 0);
    for (const line of priced) expect(line.price_variation).toBeCloseTo(0.8 ** percents, 4);
    expect(order.lines.filter((l) => (l.unit_price ?? 0) < 0)).toHaveLength(applied.filter((r) => r.kind === "amount_off").length);
    expect(order.payments).toHaveLength(applied.filter((r) => r.kind === "points_payment").length);
    expect(await claimsOf(s)).toEqual([]);
  }, 60_000);
});

describe("the order's claim", () => {
  it("is kept from others while a redemption's outcome is unknown, then runs out", async () => {
    const s = await seedRedemption(1250);
    // No answer in time: pending, the order still claimed by it.
    await kounta.fault(s.company.id, "slow", { delay_ms: 9_000 });
    expect(await redeem(await redeemUrl(s, "coffee", "9300"))).toEqual({ success: false, error: redeemMessages.unconfirmed });
    const [pending] = await redemptionsOf(s);
    const claims = await db.select().from(orderClaims).where(and(eq(orderClaims.companyId, s.company.id), eq(orderClaims.orderId, "9300")));
    expect(claims).toEqual([{ companyId: s.company.id, orderId: "9300", redemptionId: pending!.id, expiresAt: expect.any(Number) }]);
    expect(claims[0]!.expiresAt - pending!.createdAt).toBe(30_000);
  }, 30_000);
});
