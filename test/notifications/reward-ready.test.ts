import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { updateNotificationSettings } from "../../src/loyalty/notifications/settings";
import { admin, adminKey } from "../admin-harness";
import { db, seedCompany } from "../harness";
import { consentingMember, messagesOf, testNotifier, uniqueEmail, waitForOutbox, waitForSettled } from "../notifications-harness";

// "Reward ready": the first time a balance crosses a reward's price, at most one message a day,
// through the admin API's adjustments (the dashboard's and the sales' go through the same notifier).

const REWARDS = [
  { id: "coffee", title: "Free coffee", pointsRequired: 100 },
  { id: "cake", title: "Free cake", pointsRequired: 250 },
  { id: "pay", title: "Pay with points", pointsRequired: 1, kind: "points_payment" as const, variableQuantity: true },
];

async function setup(options: { consent?: boolean } = {}) {
  const company = await seedCompany({ rewards: REWARDS });
  const email = uniqueEmail("grace");
  const memberId = options.consent === false ? await company.addMember({ firstName: "Grace", email }) : await consentingMember(company, { firstName: "Grace", email });
  const key = await adminKey(company.id);
  const credit = (points: number) => admin(key, "POST", `/members/${memberId}/adjustments`, { points, reason: "Welcome gift" });
  return { company, email, memberId, credit };
}

describe("reward ready", () => {
  it("crossing the free coffee's price sends one message naming it (never the pay-with-points reward)", async () => {
    const { company, email, credit } = await setup();
    expect((await credit(120)).status).toBe(201);
    const [kept] = await waitForOutbox(email);
    expect(kept!.subject).toBe(`Your Free coffee is ready at Test Café ${company.id}`);
    expect(kept!.text).toContain("You have 120 Points: enough for Free coffee (100 Points).");
    const rows = await waitForSettled(company.id);
    expect(rows.map((r) => [r.kind, r.status, JSON.parse(r.payload!)])).toEqual([["reward_ready", "sent", { rewards: [`coffee_${company.id}`] }]]);
    expect(await db.all(sql`SELECT reward_id FROM reward_notices WHERE company_id = ${company.id}`)).toEqual([{ reward_id: `coffee_${company.id}` }]);
  });

  it("at most one a day: crossing the cake's price the same day records nothing more, and a reward is told of once", async () => {
    const { company, memberId, credit } = await setup();
    await credit(120);
    await credit(200);
    const rows = await waitForSettled(company.id);
    expect(rows.map((r) => r.kind)).toEqual(["reward_ready"]);
    // The cake was not told of, so a later day's crossing of its price tells it; the coffee is never told again.
    const tomorrow = Date.now() + 86_400_000;
    await db.run(sql`UPDATE members SET points = 300 WHERE id = ${memberId}`);
    await testNotifier().balanceRose(company.id, memberId, 50, 300, tomorrow);
    const later = await waitForSettled(company.id);
    expect(later.map((r) => JSON.parse(r.payload!))).toEqual([{ rewards: [`coffee_${company.id}`] }, { rewards: [`cake_${company.id}`] }]);
    // Crossing both again on yet another day: both already told of, nothing recorded.
    await testNotifier().balanceRose(company.id, memberId, 0, 400, tomorrow + 86_400_000);
    expect(await messagesOf(company.id)).toHaveLength(2);
  });

  it("a balance already above the price, a debit, and a repeated adjustment cause nothing", async () => {
    const { company, memberId } = await setup();
    const key = await adminKey(company.id);
    const body = { points: 150, reason: "Opening", idempotency_key: "once" };
    await admin(key, "POST", `/members/${memberId}/adjustments`, body);
    await waitForSettled(company.id);
    expect(await messagesOf(company.id)).toHaveLength(1);
    await db.run(sql`DELETE FROM notifications WHERE company_id = ${company.id}`);
    await db.run(sql`DELETE FROM reward_notices WHERE company_id = ${company.id}`);
    // The same request again (a retry): repeated, so nothing.
    expect((await admin(key, "POST", `/members/${memberId}/adjustments`, body)).status).toBe(201);
    // Above the coffee already, below the cake: nothing crossed.
    await admin(key, "POST", `/members/${memberId}/adjustments`, { points: 10, reason: "Extra" });
    await admin(key, "POST", `/members/${memberId}/adjustments`, { points: -50, reason: "Correction" });
    expect(await messagesOf(company.id)).toEqual([]);
  });

  it("no consent, or the kind turned off: nothing is recorded", async () => {
    const none = await setup({ consent: false });
    await none.credit(120);
    const off = await setup();
    await updateNotificationSettings(db, off.company.id, { reward_ready: false });
    await off.credit(120);
    expect(await messagesOf(none.company.id)).toEqual([]);
    expect(await messagesOf(off.company.id)).toEqual([]);
  });

  it("a reward for a tier above the member's is not ready for them", async () => {
    const { company, memberId } = await setup();
    await db.run(sql`INSERT INTO tiers (id, company_id, name, threshold, multiplier, position, created_at, updated_at)
      VALUES (${`gold_${company.id}`}, ${company.id}, 'Gold', 5000, 1, 1, 0, 0)`);
    await db.run(sql`UPDATE rewards SET min_tier_id = ${`gold_${company.id}`} WHERE id = ${`coffee_${company.id}`}`);
    await testNotifier().balanceRose(company.id, memberId, 0, 120);
    expect(await messagesOf(company.id)).toEqual([]);
  });
});
