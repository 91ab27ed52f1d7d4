import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { rewardSetupMessages } from "../../src/loyalty/cashier-messages";
import { companies } from "../../src/storage/schema";
import { db } from "../harness";
import { kounta } from "../kounta-harness";
import { balanceOf, ledgerOf, redeem, redeemUrl, redemptionsOf, seedRedemption } from "../redeem-harness";

// A loyalty payment never takes more than the order still owes (its total less what has been paid):
// Kounta takes any payment, and the till would pay out the difference. Points as payment: more than
// owed is refused, saying the most that can be used. An amount off paid as a loyalty payment: capped
// at what is owed. Nothing owing: refused. Refused before anything is sent, the points given back.
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

describe("an amount off paid as a loyalty payment (Kounta refused the negative line): at most what is owed", () => {
  it("$5 off on an order owing $3.00: pays $3.00, for the reward's price", async () => {
    const s = await seedRedemption();
    await paidByCard(s, "7601", 12.4);
    const before = (await kounta.apiCalls(s.company.id)).length;
    await kounta.fault(s.company.id, "bad_request");

    expect(await redeem(await redeemUrl(s, "five", "7601"))).toEqual({ success: true });

    expect(await callsAfter(s, before)).toEqual([`POST ${order(s, "7601")}/lines.json`, `GET ${order(s, "7601")}.json`, `POST ${order(s, "7601")}/payments.json`]);
    const [redemption] = await redemptionsOf(s);
    const after = await kounta.order(s.company.id, "7601");
    expect(after.payments).toEqual([expect.objectContaining({ amount: 12.4, ref: "card" }), expect.objectContaining({ amount: 3, ref: redemption!.id })]);
    expect({ total: after.total, paid: after.paid }).toEqual({ total: 15.4, paid: 15.4 });
    expect(redemption).toMatchObject({ status: "applied", points: 1000, kountaRef: expect.stringMatching(/^payment:\d+$/) });
    expect(await balanceOf(s)).toBe(250);
    expect((await ledgerOf(s)).map((l) => [l.reason, l.delta])).toEqual([["adjustment", 1250], ["redeem", -1000]]);
  });

  it("on an order paid in full: refused, nothing paid, the points back", async () => {
    const s = await seedRedemption();
    await paidByCard(s, "7602", 15.4);
    const before = (await kounta.apiCalls(s.company.id)).length;
    await kounta.fault(s.company.id, "bad_request");

    expect(await redeem(await redeemUrl(s, "five", "7602"))).toEqual({ success: false, error: rewardSetupMessages.nothingOwed });

    expect(await callsAfter(s, before)).toEqual([`POST ${order(s, "7602")}/lines.json`, `GET ${order(s, "7602")}.json`]);
    expect((await kounta.order(s.company.id, "7602")).payments).toEqual([expect.objectContaining({ amount: 15.4, ref: "card" })]);
    expect(await balanceOf(s)).toBe(1250);
    expect((await ledgerOf(s)).map((l) => [l.reason, l.delta])).toEqual([["adjustment", 1250], ["redeem", -1000], ["reversal", 1000]]);
  });
});
