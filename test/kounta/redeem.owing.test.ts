import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { KountaClient } from "../../src/kounta-api/client";
import { orderSchema } from "../../src/kounta-api/types";
import { rewardSetupMessages } from "../../src/loyalty/cashier-messages";
import { applyRewardToOrder, RewardSetupError } from "../../src/loyalty/redemption/apply-reward";
import type { CompanySettings, RewardDetails } from "../../src/loyalty/redemption/redemption";
import { companies } from "../../src/storage/schema";
import { db } from "../harness";
import { kounta } from "../kounta-harness";
import { balanceOf, ledgerOf, redeem, redeemUrl, redemptionsOf, refuseNegativeLine, seedRedemption } from "../redeem-harness";

// A loyalty payment or an amount off never takes more than the order still owes (its total less what
// has been paid): Kounta takes any payment and any negative line, and the till would pay out the
// difference. Points as payment: more than owed is refused, saying the most that can be used. An
// amount off, as its negative line or as a loyalty payment (the line refused): capped at what is owed.
// Nothing owing: refused. Refused before anything is sent, the points given back.
// (The stand-in's open order: 2 x Flat white + 1 x Banana bread, $15.40 with GST.)

type Seeded = Awaited<ReturnType<typeof seedRedemption>>;

const order = (s: Seeded, id: string) => `/v1/companies/${s.company.id}/orders/${id}`;

/** The customer pays part of the order by card first (Kounta's method 2). */
async function paidByCard(s: Seeded, orderId: string, amount: number) {
  await kounta.api(s.company.id, "POST", `orders/${orderId}/payments`, { method_id: 2, amount, ref: "card" });
}

/** What the test itself sent Kounta is left out: the redemption's calls only. */
async function callsAfter(s: Seeded, before: number) {
  return (await kounta.apiCalls(s.company.id)).slice(before);
}

describe("points as payment: at most what the order owes", () => {
  it("2000 points ($20) on an order of $15.40: refused with the most that can be used, the points back, nothing paid", async () => {
    const s = await seedRedemption(2000);

    expect(await redeem(await redeemUrl(s, "pay", "7501", 2000))).toEqual({ success: false, error: "This order owes $15.40: use at most 1540 Points." });

    expect(await kounta.apiCalls(s.company.id)).toEqual([`GET ${order(s, "7501")}.json`]);
    expect((await kounta.order(s.company.id, "7501")).payments).toEqual([]);
    expect(await balanceOf(s)).toBe(2000);
    expect((await ledgerOf(s)).map((l) => [l.reason, l.delta])).toEqual([["adjustment", 2000], ["redeem", -2000], ["reversal", 2000]]);
    expect((await redemptionsOf(s)).map((r) => [r.status, r.failureReason])).toEqual([["failed", "This order owes $15.40: use at most 1540 Points."]]);
  });

  it("exactly what is owed is taken (1540 points pay $15.40), and the order then owes nothing more", async () => {
    const s = await seedRedemption(2000);
    const url = await redeemUrl(s, "pay", "7502");

    expect(await redeem(`${url}&quantity=1540`)).toEqual({ success: true });
    expect(await redeem(`${url}&quantity=1`)).toEqual({ success: false, error: rewardSetupMessages.nothingOwed });

    const [paid, refused] = await redemptionsOf(s);
    const after = await kounta.order(s.company.id, "7502");
    expect(after.payments).toEqual([expect.objectContaining({ amount: 15.4, ref: paid!.id })]);
    expect({ total: after.total, paid: after.paid }).toEqual({ total: 15.4, paid: 15.4 });
    expect([paid!.status, refused!.status]).toEqual(["applied", "failed"]);
    expect(await kounta.apiCalls(s.company.id)).toEqual([`GET ${order(s, "7502")}.json`, `POST ${order(s, "7502")}/payments.json`, `GET ${order(s, "7502")}.json`]);
    expect(await balanceOf(s)).toBe(460);
    expect((await ledgerOf(s)).map((l) => [l.reason, l.delta])).toEqual([["adjustment", 2000], ["redeem", -1540], ["redeem", -1], ["reversal", 1]]);
  });

  it("an order partly paid by card: what is left, in the company's currency", async () => {
    const s = await seedRedemption(2000);
    await db.update(companies).set({ currency: "EUR" }).where(eq(companies.id, s.company.id));
    await paidByCard(s, "7503", 10);
    const before = (await kounta.apiCalls(s.company.id)).length;

    expect(await redeem(await redeemUrl(s, "pay", "7503", 600))).toEqual({ success: false, error: "This order owes €5.40: use at most 540 Points." });

    expect(await callsAfter(s, before)).toEqual([`GET ${order(s, "7503")}.json`]);
    expect((await kounta.order(s.company.id, "7503")).payments).toEqual([expect.objectContaining({ amount: 10, ref: "card" })]);
    expect(await balanceOf(s)).toBe(2000);
  });

  it("the most counts whole points: 3 cents a point, $15.40 owed, at most 513 points (514 would pay $15.42)", async () => {
    const s = await seedRedemption(2000);
    await db.update(companies).set({ pointValueCents: 3 }).where(eq(companies.id, s.company.id));
    const url = await redeemUrl(s, "pay", "7504");

    expect(await redeem(`${url}&quantity=514`)).toEqual({ success: false, error: "This order owes $15.40: use at most 513 Points." });
    expect(await redeem(`${url}&quantity=513`)).toEqual({ success: true });

    expect((await kounta.order(s.company.id, "7504")).payments).toEqual([expect.objectContaining({ amount: 15.39 })]);
    expect(await balanceOf(s)).toBe(2000 - 513);
  });

  it("owing less than one point is worth: says so", async () => {
    const s = await seedRedemption(2000);
    await db.update(companies).set({ pointValueCents: 5 }).where(eq(companies.id, s.company.id));
    await paidByCard(s, "7505", 15.38);

    expect(await redeem(await redeemUrl(s, "pay", "7505", 1))).toEqual({ success: false, error: "This order owes $0.02, less than one of the Points is worth." });
    expect(await balanceOf(s)).toBe(2000);
  });

  it.each([
    ["paid in full by card", async (s: Seeded) => paidByCard(s, "7506", 15.4)],
    [
      "with nothing on it (its lines taken off: a total of 0)",
      async (s: Seeded) => {
        for (let i = 0; i < 2; i++) await kounta.api(s.company.id, "DELETE", "orders/7506/lines/1");
      },
    ],
  ])("an order %s: nothing left to pay, refused before any payment", async (_, arrange) => {
    const s = await seedRedemption(2000);
    await arrange(s);
    const before = (await kounta.apiCalls(s.company.id)).length;
    const owing = await kounta.order(s.company.id, "7506");

    expect(await redeem(await redeemUrl(s, "pay", "7506", 300))).toEqual({ success: false, error: rewardSetupMessages.nothingOwed });

    expect(await callsAfter(s, before)).toEqual([`GET ${order(s, "7506")}.json`]);
    expect((await kounta.order(s.company.id, "7506")).payments).toEqual(owing.payments);
    expect(await balanceOf(s)).toBe(2000);
    expect((await ledgerOf(s)).map((l) => [l.reason, l.delta])).toEqual([["adjustment", 2000], ["redeem", -300], ["reversal", 300]]);
  });
});

/** The lines of the reward product (9001) on the order: what an amount off adds. */
const rewardLines = (o: Record<string, any>) => o.lines.filter((l: { product: { id: number } }) => l.product.id === 9001);

describe("an amount off as its negative line: at most what the order owes", () => {
  it("$5 off on an order owing $3.00 (paid $12.40 by card of $15.40): a line of -3.00, for the reward's full price", async () => {
    const s = await seedRedemption();
    await paidByCard(s, "7601", 12.4);
    const before = (await kounta.apiCalls(s.company.id)).length;

    expect(await redeem(await redeemUrl(s, "five", "7601"))).toEqual({ success: true });

    expect(await callsAfter(s, before)).toEqual([`GET ${order(s, "7601")}.json`, `POST ${order(s, "7601")}/lines.json`]);
    const [redemption] = await redemptionsOf(s);
    const after = await kounta.order(s.company.id, "7601");
    const [line, ...more] = rewardLines(after);
    expect(more).toEqual([]);
    expect(line).toMatchObject({ quantity: 1, unit_price: -3, price_variation: 1, notes: `Loyalty reward ${redemption!.id}: $5 off` });
    // Capped at what is owed, not at the total ($15.40): the card's $12.40 is not left over the total.
    // 15.40 - 3.00 - 0.30: the stand-in puts 10 % GST on its reward product too (a merchant sets it up
    // tax-free, docs/redemption.md), so its total comes out 30 cents under what was paid.
    expect({ total: after.total, paid: after.paid, payments: after.payments }).toEqual({ total: 12.1, paid: 12.4, payments: [expect.objectContaining({ amount: 12.4, ref: "card" })] });
    expect(redemption).toMatchObject({ status: "applied", points: 1000, amountCents: 500, kountaRef: `line:${line.number}` });
    expect(await balanceOf(s)).toBe(250);
    expect(await ledgerOf(s)).toEqual([
      { delta: 1250, reason: "adjustment", orderId: null, rewardId: null },
      { delta: -1000, reason: "redeem", orderId: "7601", rewardId: s.company.rewardId("five") },
    ]);
  });

  it.each([
    ["owing exactly $5.00", "7611", 10.4, -5],
    ["owing $4.99", "7612", 10.41, -4.99],
    ["owing all of its $15.40", "7613", 0, -5],
  ])("an order %s (%s, paid by card: %s): a line of %s", async (_, orderId, paid, price) => {
    const s = await seedRedemption();
    if (paid > 0) await paidByCard(s, orderId, paid);
    const before = (await kounta.apiCalls(s.company.id)).length;

    expect(await redeem(await redeemUrl(s, "five", orderId))).toEqual({ success: true });

    expect(await callsAfter(s, before)).toEqual([`GET ${order(s, orderId)}.json`, `POST ${order(s, orderId)}/lines.json`]);
    expect(rewardLines(await kounta.order(s.company.id, orderId)).map((l: { unit_price: number }) => l.unit_price)).toEqual([price]);
    expect(await balanceOf(s)).toBe(250);
  });

  it.each([
    ["paid in full by card", async (s: Seeded) => paidByCard(s, "7602", 15.4)],
    [
      "with nothing on it (its lines taken off: a total of 0)",
      async (s: Seeded) => {
        for (let i = 0; i < 2; i++) await kounta.api(s.company.id, "DELETE", "orders/7602/lines/1");
      },
    ],
  ])("an order %s: refused after the read, no line, the points back", async (_, arrange) => {
    const s = await seedRedemption();
    await arrange(s);
    const before = (await kounta.apiCalls(s.company.id)).length;
    const was = await kounta.order(s.company.id, "7602");

    expect(await redeem(await redeemUrl(s, "five", "7602"))).toEqual({ success: false, error: rewardSetupMessages.nothingOwed });

    expect(await callsAfter(s, before)).toEqual([`GET ${order(s, "7602")}.json`]);
    const after = await kounta.order(s.company.id, "7602");
    expect([after.lines, after.payments, after.total]).toEqual([was.lines, was.payments, was.total]);
    expect((await redemptionsOf(s)).map((r) => [r.status, r.failureReason])).toEqual([["failed", rewardSetupMessages.nothingOwed]]);
    expect(await balanceOf(s)).toBe(1250);
    const five = s.company.rewardId("five");
    expect(await ledgerOf(s)).toEqual([
      { delta: 1250, reason: "adjustment", orderId: null, rewardId: null },
      { delta: -1000, reason: "redeem", orderId: "7602", rewardId: five },
      { delta: 1000, reason: "reversal", orderId: "7602", rewardId: five },
    ]);
  });

  it("an order whose total Kounta did not give: refused, nothing sent after the read", async () => {
    const sent: string[] = [];
    const client = {
      deadline: Date.now() + 8_000,
      getOrder: async (id: string) => {
        sent.push(`GET ${id}`);
        return orderSchema.parse({ id: Number(id), status: "SUBMITTED", lines: [{ number: 1, product: { id: 2001 }, quantity: 1, unit_price: 4.5 }] });
      },
      addLine: async (id: string) => void sent.push(`POST ${id}/lines`),
      addPayment: async (id: string) => void sent.push(`POST ${id}/payments`),
    } as unknown as KountaClient;
    const reward = { id: "rwd", title: "$5 off", kind: "amount_off", points_required: 1000, variable_quantity: 0, value: 500, product_id: null, active: 1 } as RewardDetails;
    const company = { reward_product_id: "9001", loyalty_payment_method_id: null, currency: "AUD", point_value_cents: 1, points_label: "Points" } as unknown as CompanySettings;

    const applying = applyRewardToOrder(client, { redemptionId: "rdm_x", orderId: "7631", reward, company, amountCents: 500 });

    await expect(applying).rejects.toThrow(new RewardSetupError(rewardSetupMessages.owingUnknown));
    expect(sent).toEqual(["GET 7631"]);
  });
});

describe("an amount off paid as a loyalty payment (Kounta refused the negative line): at most what is owed", () => {
  it("$5 off on an order owing $3.00: read again after the refusal, pays $3.00, for the reward's price", async () => {
    const s = await seedRedemption();
    await paidByCard(s, "7621", 12.4);
    const before = (await kounta.apiCalls(s.company.id)).length;
    await refuseNegativeLine(s);

    expect(await redeem(await redeemUrl(s, "five", "7621"))).toEqual({ success: true });

    expect(await callsAfter(s, before)).toEqual([
      `GET ${order(s, "7621")}.json`,
      `POST ${order(s, "7621")}/lines.json`,
      `GET ${order(s, "7621")}.json`,
      `POST ${order(s, "7621")}/payments.json`,
    ]);
    const [redemption] = await redemptionsOf(s);
    const after = await kounta.order(s.company.id, "7621");
    expect(rewardLines(after)).toEqual([]);
    expect(after.payments).toEqual([expect.objectContaining({ amount: 12.4, ref: "card" }), expect.objectContaining({ amount: 3, ref: redemption!.id })]);
    expect({ total: after.total, paid: after.paid }).toEqual({ total: 15.4, paid: 15.4 });
    expect(redemption).toMatchObject({ status: "applied", points: 1000, kountaRef: expect.stringMatching(/^payment:\d+$/) });
    expect(await balanceOf(s)).toBe(250);
    expect((await ledgerOf(s)).map((l) => [l.reason, l.delta])).toEqual([["adjustment", 1250], ["redeem", -1000]]);
  });
});
