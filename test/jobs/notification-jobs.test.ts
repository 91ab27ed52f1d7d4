import { env } from "cloudflare:test";
import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { enqueueWaitingMessages, warnExpiringPoints } from "../../src/jobs/notification-sweep";
import { newId } from "../../src/lib/crypto";
import { Logger } from "../../src/lib/logger";
import { expiryDay, isoDay } from "../../src/loyalty/earning/expiry";
import { getNotificationSettings } from "../../src/loyalty/notifications/settings";
import { companies, members, pointsLedger } from "../../src/storage/schema";
import { db, seedCompany } from "../harness";
import { consentingMember, messagesOf, testNotifier, uniqueEmail, waitForOutbox, waitForSettled, type Company } from "../notifications-harness";

// The cron's two passes over messages: the warnings before points expire (30 days and 1 day before,
// from the lots of one day, once each whatever re-runs), and the sweep that enqueues again what a
// lost enqueue left waiting.

const quiet = new Logger({ test: "notification-jobs" });
const DAY = 86_400_000;
const at = (iso: string) => Date.parse(`${iso}T10:00:00Z`);

/** Points earned at `when` (a lot), with the balance. */
async function earned(companyId: string, memberId: string, points: number, when: number) {
  await db.batch([
    db.insert(pointsLedger).values({ id: newId("led"), companyId, memberId, delta: points, reason: "earn", orderId: newId("o"), idempotencyKey: `earn:${newId("k")}`, createdAt: when }),
    db.update(members).set({ points: sql`${members.points} + ${points}` }).where(eq(members.id, memberId)),
  ]);
}

async function spent(companyId: string, memberId: string, points: number, when: number) {
  await db.batch([
    db.insert(pointsLedger).values({ id: newId("led"), companyId, memberId, delta: -points, reason: "redeem", idempotencyKey: `redeem:${newId("k")}`, createdAt: when }),
    db.update(members).set({ points: sql`${members.points} - ${points}` }).where(eq(members.id, memberId)),
  ]);
}

async function policyCompany(): Promise<Company> {
  const company = await seedCompany();
  await db.update(companies).set({ expiryMonths: 12 }).where(eq(companies.id, company.id));
  // A request of the company recorded a message before (a welcome): a job's messages take their
  // links' origin from it, the Worker having no PUBLIC_BASE_URL here (deliver.ts).
  const earlier = await consentingMember(company, { firstName: "Hal", email: uniqueEmail("hal") });
  await testNotifier().welcome(company.id, earlier);
  return company;
}

const warnings = async (companyId: string) => (await messagesOf(companyId)).filter((r) => r.kind === "points_expiring");

describe("warnings before points expire", () => {
  it("30 days and 1 day before: one warning each, with the amount and the day, and none again on a re-run", async () => {
    const company = await policyCompany();
    const email = uniqueEmail("ada");
    const ada = await consentingMember(company, { firstName: "Ada", email });
    const lot = at("2026-03-31");
    const expiresOn = expiryDay(lot, 12);
    expect(isoDay(expiresOn)).toBe("2027-03-31");
    await earned(company.id, ada, 120, lot);
    await earned(company.id, ada, 30, at("2026-09-01"));
    await spent(company.id, ada, 20, at("2026-10-01"));
    // Others on the same day: no consent, or nothing left of it.
    const noConsent = await company.addMember({ firstName: "Bob", email: uniqueEmail("bob") });
    await earned(company.id, noConsent, 120, lot + 1000);
    const spentAll = await consentingMember(company, { firstName: "Cy", email: uniqueEmail("cy") });
    await earned(company.id, spentAll, 50, lot + 2000);
    await spent(company.id, spentAll, 50, at("2026-05-01"));

    const thirtyBefore = expiresOn - 30 * DAY + 3 * 3_600_000;
    const first = await warnExpiringPoints(env, quiet, { now: thirtyBefore });
    expect(first).toMatchObject({ recorded: 1, incomplete: false });
    // The job's progress is no change of the company's choices.
    expect((await getNotificationSettings(db, company.id))!.updatedAt).toBeNull();
    expect(await warnExpiringPoints(env, quiet, { now: thirtyBefore + 3_600_000 })).toMatchObject({ recorded: 0 });
    // Even with the day's progress forgotten, the occasion is taken: nothing more.
    await db.run(sql`UPDATE notification_settings SET expiry_warned_day = NULL WHERE company_id = ${company.id}`);
    expect(await warnExpiringPoints(env, quiet, { now: thirtyBefore })).toMatchObject({ recorded: 0 });

    const [kept] = await waitForOutbox(email);
    // 150 earned, 20 spent from the oldest: 100 of the March lot are left to expire.
    expect(kept!.subject).toBe("100 Points expire on 31 March 2027");
    expect(kept!.text).toContain(`100 Points of your 130 Points at Test Café ${company.id} expire on 31 March 2027.`);

    const dayBefore = expiresOn - DAY + 3 * 3_600_000;
    expect(await warnExpiringPoints(env, quiet, { now: dayBefore })).toMatchObject({ recorded: 1 });
    expect(await warnExpiringPoints(env, quiet, { now: dayBefore + 3_600_000 })).toMatchObject({ recorded: 0 });
    await waitForSettled(company.id);
    const rows = await warnings(company.id);
    expect(rows.map((r) => [r.member_id, r.kind, r.occasion, JSON.parse(r.payload!), r.status])).toEqual([
      [ada, "points_expiring", "2027-03-31:30d", { points: 100, on: "2027-03-31" }, "sent"],
      [ada, "points_expiring", "2027-03-31:1d", { points: 100, on: "2027-03-31" }, "sent"],
    ]);
    expect(await waitForOutbox(email, 2)).toHaveLength(2);
  });

  it("a run that stops on its budget resumes where it was; warnings off or no policy: nothing", async () => {
    // Only this test's companies have a policy.
    await db.run(sql`UPDATE companies SET expiry_months = NULL`);
    const company = await policyCompany();
    const lot = at("2026-06-15");
    const expiresOn = expiryDay(lot, 12);
    const soon = await consentingMember(company, { firstName: "Dee", email: uniqueEmail("dee") });
    await earned(company.id, soon, 10, expiresOn - DAY - 365 * DAY);
    const later = await consentingMember(company, { firstName: "Eve", email: uniqueEmail("eve") });
    await earned(company.id, later, 10, lot);
    // The lot that expires tomorrow: created on the day 12 months before tomorrow.
    const now = expiresOn - 30 * DAY + 3_600_000;
    await db.run(sql`UPDATE points_ledger SET created_at = ${Date.parse(`${isoDay(now + DAY).replace(/^2027/, "2026")}T10:00:00Z`)} WHERE member_id = ${soon}`);

    const off = await policyCompany();
    await db.run(sql`INSERT INTO notification_settings (company_id, points_expiring, updated_at) VALUES (${off.id}, 0, 0)`);
    const offMember = await consentingMember(off, { firstName: "Fay", email: uniqueEmail("fay") });
    await earned(off.id, offMember, 10, lot);

    const first = await warnExpiringPoints(env, quiet, { now, queryBudget: 3 });
    expect(first).toMatchObject({ recorded: 1, incomplete: true });
    const second = await warnExpiringPoints(env, quiet, { now, queryBudget: 200 });
    expect(second.recorded).toBe(1);
    const rows = await warnings(company.id);
    expect(rows.map((r) => [r.member_id, r.occasion]).sort()).toEqual(
      [
        [later, `${isoDay(expiresOn)}:30d`],
        [soon, `${isoDay(now + DAY)}:1d`],
      ].sort(),
    );
    expect(await warnings(off.id)).toEqual([]);
  });
});

describe("warnings at a month's end", () => {
  it("a 6-month policy, points earned on 1 March: warned once 30 days and once 1 day before the day they really expire", async () => {
    await db.run(sql`UPDATE companies SET expiry_months = NULL`);
    const company = await policyCompany();
    await db.update(companies).set({ expiryMonths: 6 }).where(eq(companies.id, company.id));
    const member = await consentingMember(company, { firstName: "Jo", email: uniqueEmail("jo") });
    const lot = at("2027-03-01");
    await earned(company.id, member, 40, lot);
    const expiresOn = expiryDay(lot, 6);
    // Every day's first run, from 40 days before to the day itself.
    for (let day = expiresOn - 40 * DAY; day <= expiresOn; day += DAY) await warnExpiringPoints(env, quiet, { now: day + 3_600_000 });
    expect((await warnings(company.id)).map((r) => [r.occasion, JSON.parse(r.payload!)])).toEqual([
      [`${isoDay(expiresOn)}:30d`, { points: 40, on: isoDay(expiresOn) }],
      [`${isoDay(expiresOn)}:1d`, { points: 40, on: isoDay(expiresOn) }],
    ]);
  });
});

describe("the sweep of messages left waiting", () => {
  it("takes over a message whose consumer went away, a failed one the queue lost, and records dead one tried too often", async () => {
    await db.run(sql`UPDATE notifications SET status = 'sent'`);
    const company = await seedCompany();
    const ids: string[] = [];
    for (const name of ["kim", "lee", "max"]) {
      const id = await consentingMember(company, { firstName: name, email: uniqueEmail(name) });
      await testNotifier(undefined, undefined).welcome(company.id, id);
    }
    for (const row of await messagesOf(company.id)) ids.push(row.id);
    const now = Date.now();
    const [crashed, lost, tired] = ids;
    await db.run(sql`UPDATE notifications SET status = 'sending', lease_until = ${now - 20 * 60_000}, updated_at = ${now - 20 * 60_000} WHERE id = ${crashed}`);
    await db.run(sql`UPDATE notifications SET status = 'failed', attempts = 6, updated_at = ${now - 50 * 60_000} WHERE id = ${lost}`);
    await db.run(sql`UPDATE notifications SET status = 'failed', attempts = 12, updated_at = ${now - 50 * 60_000} WHERE id = ${tired}`);
    // A failed one within the queue's own backoff is left to it.
    expect(await enqueueWaitingMessages(env, quiet, now - 20 * 60_000)).toBe(0);
    expect(await enqueueWaitingMessages(env, quiet, now)).toBe(2);
    const rows = await waitForSettled(company.id);
    expect(rows.map((r) => [r.id, r.status])).toEqual([
      [crashed, "sent"],
      [lost, "sent"],
      [tired, "dead"],
    ]);
  });


  it("enqueues again a message whose enqueue was lost, once per ten minutes, and it is sent", async () => {
    // The sweep is across companies: only this test's message is waiting.
    await db.run(sql`UPDATE notifications SET status = 'sent'`);
    const company = await seedCompany();
    const email = uniqueEmail("gil");
    const id = await consentingMember(company, { firstName: "Gil", email });
    await testNotifier(undefined, undefined).welcome(company.id, id);
    expect((await messagesOf(company.id)).map((r) => r.status)).toEqual(["queued"]);
    expect(await enqueueWaitingMessages(env, quiet, Date.now() + 60_000)).toBe(0);
    const later = Date.now() + 11 * 60_000;
    expect(await enqueueWaitingMessages(env, quiet, later)).toBe(1);
    expect(await enqueueWaitingMessages(env, quiet, later + 60_000)).toBe(0);
    await waitForOutbox(email);
    expect((await waitForSettled(company.id)).map((r) => [r.status, r.attempts])).toEqual([["sent", 1]]);
  });
});
