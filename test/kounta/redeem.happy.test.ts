import { describe, expect, it } from "vitest";
import { getJson, kountaUrl } from "../harness";
import { kounta } from "../kounta-harness";
import { balanceOf, ledgerOf, redeem, redeemUrl, redemptionsOf, seedRedemption } from "../redeem-harness";

describe("redemption: each reward kind changes the Kounta order", () => {
  it("free product: one line for that product at price 0, noted with our redemption id", async () => {
    const s = await seedRedemption();
    const url = await redeemUrl(s, "coffee", "5001");

    expect(await redeem(url)).toEqual({ success: true });

    expect(await balanceOf(s)).toBe(750);
    const [redemption] = await redemptionsOf(s);
    expect(redemption).toMatchObject({ status: "applied", points: 500, orderId: "5001", kind: "free_product", siteId: s.company.siteId, kountaCustomerId: "789" });
    expect(await kounta.apiCalls(s.company.id)).toEqual([`POST /v1/companies/${s.company.id}/orders/5001/lines.json`]);
    const order = await kounta.order(s.company.id, "5001");
    const line = order.lines.at(-1);
    expect(line).toMatchObject({ product: { id: 2001 }, quantity: 1, unit_price: 0, notes: `Loyalty reward ${redemption!.id}: Free coffee` });
    expect(redemption!.kountaRef).toBe(`line:${line.number}`);
    expect(await ledgerOf(s)).toEqual([
      { delta: 1250, reason: "adjustment", orderId: null, rewardId: null },
      { delta: -500, reason: "redeem", orderId: "5001", rewardId: s.company.rewardId("coffee") },
    ]);
  });

  it("amount off: the order read (what it owes), then one line of the reward product with a negative price", async () => {
    const s = await seedRedemption();
    expect(await redeem(await redeemUrl(s, "five", "5002"))).toEqual({ success: true });
    expect(await balanceOf(s)).toBe(250);
    expect(await kounta.apiCalls(s.company.id)).toEqual([
      `GET /v1/companies/${s.company.id}/orders/5002.json`,
      `POST /v1/companies/${s.company.id}/orders/5002/lines.json`,
    ]);
    const [redemption] = await redemptionsOf(s);
    const order = await kounta.order(s.company.id, "5002");
    const line = order.lines.at(-1);
    expect(line).toMatchObject({ product: { id: 9001 }, quantity: 1, unit_price: -5, notes: `Loyalty reward ${redemption!.id}: $5 off` });
    expect(redemption).toMatchObject({ status: "applied", points: 1000, amountCents: 500, kountaRef: `line:${line.number}` });
  });

  it("percent off: a price variation on each of the order's lines", async () => {
    const s = await seedRedemption();
    const before = await kounta.order(s.company.id, "5003").catch(() => null);
    expect(before).toBeNull();
    expect(await redeem(await redeemUrl(s, "pct", "5003"))).toEqual({ success: true });
    expect(await balanceOf(s)).toBe(950);
    const order = await kounta.order(s.company.id, "5003");
    const calls = await kounta.apiCalls(s.company.id);
    expect(calls[0]).toBe(`GET /v1/companies/${s.company.id}/orders/5003.json`);
    expect(calls.slice(1)).toEqual(order.lines.map((l: { number: number }) => `PUT /v1/companies/${s.company.id}/orders/5003/lines/${l.number}.json`));
    const [redemption] = await redemptionsOf(s);
    for (const line of order.lines) {
      expect(line.price_variation).toBe(0.8);
      expect(line.notes).toContain(redemption!.id);
    }
  });

  it("points as payment: a payment of quantity x point value with our redemption id as ref", async () => {
    const s = await seedRedemption();
    expect(await redeem(await redeemUrl(s, "pay", "5004", 300))).toEqual({ success: true });
    expect(await balanceOf(s)).toBe(950);
    // The order's status first: Kounta would take a payment on a finished sale too.
    expect(await kounta.apiCalls(s.company.id)).toEqual([
      `GET /v1/companies/${s.company.id}/orders/5004.json`,
      `POST /v1/companies/${s.company.id}/orders/5004/payments.json`,
    ]);
    const [redemption] = await redemptionsOf(s);
    const order = await kounta.order(s.company.id, "5004");
    expect(order.payments).toEqual([expect.objectContaining({ method: expect.objectContaining({ id: 5001 }), amount: 3, ref: redemption!.id })]);
    expect(redemption).toMatchObject({ points: 300, amountCents: 300, status: "applied" });
  });

  it("accepts POST as well as GET", async () => {
    const s = await seedRedemption();
    expect(await redeem(await redeemUrl(s, "coffee", "5005"), { method: "POST" })).toEqual({ success: true });
    expect(await balanceOf(s)).toBe(750);
  });

  it("writes the new balance through to the card the next lookup shows", async () => {
    const s = await seedRedemption();
    await redeem(await redeemUrl(s, "coffee", "5006"));
    const { body, res } = await getJson(kountaUrl("reward-lookup", { company_id: s.company.id, reference_id: s.memberId, order_id: "1" }));
    expect(res.headers.get("server-timing")).toContain('kv;dur=');
    expect(body.member.current_points).toBe("750");
  });
});

describe("redemption: exactly once, never overspent", () => {
  it("a retry of the same URL on the same order returns the first outcome and debits once", async () => {
    const s = await seedRedemption();
    const url = await redeemUrl(s, "coffee", "6001");
    expect(await redeem(url)).toEqual({ success: true });
    expect(await redeem(url)).toEqual({ success: true });
    expect(await redeem(url, { method: "POST" })).toEqual({ success: true });
    expect(await balanceOf(s)).toBe(750);
    expect(await redemptionsOf(s)).toHaveLength(1);
    expect(await kounta.apiCalls(s.company.id)).toHaveLength(1);
  });

  it("a double tap fired at once debits once and both answer the outcome", async () => {
    const s = await seedRedemption();
    const url = await redeemUrl(s, "coffee", "6002");
    const answers = await Promise.all(Array.from({ length: 5 }, () => redeem(url)));
    expect(answers).toEqual(Array(5).fill({ success: true }));
    expect(await balanceOf(s)).toBe(750);
    expect(await kounta.apiCalls(s.company.id)).toHaveLength(1);
  });

  it("two different rewards on one order both work", async () => {
    const s = await seedRedemption();
    expect(await redeem(await redeemUrl(s, "coffee", "6003"))).toEqual({ success: true });
    expect(await redeem(await redeemUrl(s, "pct", "6003"))).toEqual({ success: true });
    expect(await balanceOf(s)).toBe(450);
    expect((await redemptionsOf(s)).map((r) => r.status)).toEqual(["applied", "applied"]);
  });

  it("the same reward opened again is a new redemption (a second coffee)", async () => {
    const s = await seedRedemption();
    expect(await redeem(await redeemUrl(s, "coffee", "6004"))).toEqual({ success: true });
    expect(await redeem(await redeemUrl(s, "coffee", "6004"))).toEqual({ success: true });
    expect(await balanceOf(s)).toBe(250);
  });

  it("the same link with another quantity is another redemption; with the same quantity, a retry", async () => {
    const s = await seedRedemption();
    const url = await redeemUrl(s, "pay", "6006");
    expect(await redeem(`${url}&quantity=300`)).toEqual({ success: true });
    expect(await redeem(`${url}&quantity=200`)).toEqual({ success: true });
    expect(await redeem(`${url}&quantity=200`)).toEqual({ success: true });

    expect(await balanceOf(s)).toBe(750);
    expect((await redemptionsOf(s)).map((r) => [r.status, r.points, r.amountCents])).toEqual([["applied", 300, 300], ["applied", 200, 200]]);
    expect(await kounta.apiCalls(s.company.id)).toEqual([
      `GET /v1/companies/${s.company.id}/orders/6006.json`,
      `POST /v1/companies/${s.company.id}/orders/6006/payments.json`,
      `GET /v1/companies/${s.company.id}/orders/6006.json`,
      `POST /v1/companies/${s.company.id}/orders/6006/payments.json`,
    ]);
    const order = await kounta.order(s.company.id, "6006");
    expect(order.payments.map((p: { amount: number }) => p.amount)).toEqual([3, 2]);
    expect((await ledgerOf(s)).map((l) => [l.reason, l.delta])).toEqual([["adjustment", 1250], ["redeem", -300], ["redeem", -200]]);
  });

  it("20 redemptions at once for a member who can afford 3: exactly 3 succeed", async () => {
    const s = await seedRedemption(1500);
    const urls = await Promise.all(Array.from({ length: 20 }, () => redeemUrl(s, "coffee", "6005")));
    expect(new Set(urls).size).toBe(20);

    const answers = await Promise.all(urls.map((url) => redeem(url)));

    expect(answers.filter((a) => a.success)).toHaveLength(3);
    expect(answers.filter((a) => !a.success)).toEqual(Array(17).fill({ success: false, error: "Not enough Points: 0 of 500" }));
    expect(await balanceOf(s)).toBe(0);
    expect((await ledgerOf(s)).filter((l) => l.reason === "redeem")).toHaveLength(3);
    const order = await kounta.order(s.company.id, "6005");
    expect(order.lines.filter((l: { notes?: string }) => l.notes?.startsWith("Loyalty reward"))).toHaveLength(3);
  });
});

describe("redemption: cost", () => {
  it("takes one D1 batch to reserve, one Kounta call and one D1 batch to confirm", async () => {
    const s = await seedRedemption();
    const res = await getJson(await redeemUrl(s, "coffee", "6100"));
    expect(res.body).toEqual({ success: true });
    expect(res.res.headers.get("server-timing")).toMatch(
      /^d1;dur=[\d.]+;desc="round_trips=2 queries=14 rows_read=\d+ rows_written=\d+ session=primary primary_trips=2", kounta;dur=[\d.]+;desc="calls=1", total;dur=[\d.]+$/,
    );
  });
});
