import { and, asc, eq } from "drizzle-orm";
import { newId } from "../src/lib/crypto";
import { reservePoints } from "../src/loyalty/redemption/redemption";
import { members, orderClaims, pointsLedger, redemptions } from "../src/storage/schema";
import { db, expectBalanceMatchesLedger, getJson, kountaUrl, seedCompany } from "./harness";
import { kounta } from "./kounta-harness";

export const programme = [
  { id: "coffee", title: "Free coffee", kind: "free_product" as const, productId: "2001", pointsRequired: 500 },
  { id: "five", title: "$5 off", kind: "amount_off" as const, value: 500, pointsRequired: 1000 },
  { id: "pay", title: "Pay with points", kind: "points_payment" as const, variableQuantity: true, pointsRequired: 2000 },
  { id: "pct", title: "20% off", kind: "percent_off" as const, value: 2000, pointsRequired: 300 },
  { id: "cake", title: "Free cake", kind: "free_product" as const, productId: "2003", pointsRequired: 5000 },
];

/** A connected company (known to the Kounta stand-in) with the programme above and one member. */
export async function seedRedemption(points = 1250) {
  const company = await seedCompany({ rewards: programme });
  const memberId = await company.addMember({ firstName: "John", lastName: "Smith", openingPoints: points });
  return { company, memberId };
}

type Seeded = Awaited<ReturnType<typeof seedRedemption>>;

/** The redeem_url a reward lookup hands out for a reward, with Kounta's real order id put in. */
export async function redeemUrl(s: Seeded, reward: string, orderId: string, quantity?: number): Promise<string> {
  const { status, body } = await getJson(
    kountaUrl("reward-lookup", { company_id: s.company.id, reference_id: s.memberId, customer_id: "789", site_id: s.company.siteId, order_id: "111" }),
  );
  if (status !== 200) throw new Error(`lookup failed: ${JSON.stringify(body)}`);
  const found = (body.rewards as { id: string; redeem_url: string }[]).find((r) => r.id === s.company.rewardId(reward));
  if (!found) throw new Error(`reward ${reward} not offered`);
  const url = found.redeem_url.replace("order_id=111", `order_id=${orderId}`);
  return quantity === undefined ? url : `${url}&quantity=${quantity}`;
}

/**
 * Kounta refuses the next amount off's negative line (its 400), having answered the read of the order
 * before it: faults hit the company's next calls in order, the first one passing as it is.
 */
export async function refuseNegativeLine(s: Seeded) {
  await kounta.fault(s.company.id, "slow", { delay_ms: 0 });
  await kounta.fault(s.company.id, "bad_request");
}

export async function redeem(url: string, init?: RequestInit) {
  const res = await getJson(url, init);
  if (res.status !== 200) throw new Error(`redeem answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body as { success: boolean; error?: string };
}

export async function balanceOf(s: Seeded): Promise<number> {
  const [row] = await db.select({ points: members.points }).from(members).where(eq(members.id, s.memberId));
  await expectBalanceMatchesLedger(s.company.id);
  return row!.points;
}

export async function ledgerOf(s: Seeded) {
  return db
    .select({ delta: pointsLedger.delta, reason: pointsLedger.reason, orderId: pointsLedger.orderId, rewardId: pointsLedger.rewardId })
    .from(pointsLedger)
    .where(and(eq(pointsLedger.companyId, s.company.id), eq(pointsLedger.memberId, s.memberId)))
    .orderBy(asc(pointsLedger.createdAt), asc(pointsLedger.delta));
}

export async function redemptionsOf(s: Seeded) {
  return db.select().from(redemptions).where(eq(redemptions.companyId, s.company.id)).orderBy(asc(redemptions.createdAt));
}

/** A crash right after the reservation: points debited, the redemption pending, Kounta never told. */
export async function reserveOnly(s: Seeded, reward: string, orderId: string, options: { now?: number } = {}): Promise<string> {
  const reservation = await reservePoints(db, {
    companyId: s.company.id,
    memberId: s.memberId,
    rewardId: s.company.rewardId(reward),
    orderId,
    siteId: s.company.siteId,
    kountaCustomerId: "789",
    quantity: null,
    // Unique per call: one order may take the same reward twice.
    idempotencyKey: `redeem:${orderId}:${reward}:${newId("t")}`,
    now: options.now ?? Date.now(),
  });
  if (reservation.outcome !== "reserved") throw new Error(`not reserved: ${JSON.stringify(reservation)}`);
  // The crash was long enough ago that its claim on the order has run out (ORDER_CLAIM_MS).
  await db.delete(orderClaims).where(and(eq(orderClaims.companyId, s.company.id), eq(orderClaims.redemptionId, reservation.redemption.id)));
  return reservation.redemption.id;
}
