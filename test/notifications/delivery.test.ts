import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { retryDelaySeconds } from "../../src/jobs/notification-queue";
import { updateNotificationSettings } from "../../src/loyalty/notifications/settings";
import { db, seedCompany } from "../harness";
import { consentingMember, deliver, messagesOf, outboxTo, testNotifier, testSender, uniqueEmail } from "../notifications-harness";

// The consumer, called directly on messages recorded without a queue (so the local queue does not
// deliver them beside the test): a send, a duplicate delivery, retries with backoff, the dead letter,
// and the checks made again at send time.

async function recorded(options: { points?: number } = {}) {
  const company = await seedCompany();
  const email = uniqueEmail("ada");
  const memberId = await consentingMember(company, { firstName: "Ada", email, points: options.points });
  await testNotifier(undefined, undefined).welcome(company.id, memberId);
  const [row] = await messagesOf(company.id);
  return { company, email, memberId, id: row!.id };
}

describe("the queue consumer", () => {
  it("sends a message once, with the programme's name and a one-click unsubscribe link, and records it", async () => {
    const { company, id, email, memberId } = await recorded({ points: 40 });
    const sender = testSender({ fail: false });
    const result = await deliver([id], { sender });
    expect(result.explicitAcks).toEqual([`q0-${id}`]);
    expect(result.retryMessages).toEqual([]);
    expect(sender.sent).toHaveLength(1);
    const sent = sender.sent[0]!;
    expect(sent).toMatchObject({ to: email, fromName: `Test Café ${company.id}`, subject: `Welcome to the Test Café ${company.id} loyalty programme` });
    const unsubscribe = new RegExp(`^https://loyalty\\.test/unsubscribe/${company.id}/${memberId}/[A-Za-z0-9_-]{43}$`);
    expect(sent.headers!["List-Unsubscribe"]).toMatch(/^<.+>$/);
    expect(sent.headers!["List-Unsubscribe"]!.slice(1, -1)).toMatch(unsubscribe);
    expect(sent.headers!["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    expect(sent.text).toContain("Hello Ada,\n\nYou are now a member of the Test Café");
    expect(sent.text).toContain("You have 40 Points.");
    expect(sent.text).toContain(sent.headers!["List-Unsubscribe"]!.slice(1, -1));
    expect(sent.html).toContain(`<a href="${sent.headers!["List-Unsubscribe"]!.slice(1, -1)}">unsubscribe</a>`);
    expect((await messagesOf(company.id)).map((r) => [r.status, r.attempts, r.outcome])).toEqual([["sent", 1, null]]);
  });

  it("a duplicate delivery (or a second consumer) sends nothing more", async () => {
    const { company, id } = await recorded();
    const sender = testSender({ fail: false });
    await deliver([id], { sender });
    const again = await deliver([id, id], { sender });
    expect(again.explicitAcks).toHaveLength(2);
    expect(sender.sent).toHaveLength(1);
    expect((await messagesOf(company.id)).map((r) => [r.status, r.attempts])).toEqual([["sent", 1]]);
  });

  it("a message another consumer holds is left to it; once its lease lapses it is taken over", async () => {
    const { company, id } = await recorded();
    await db.run(sql`UPDATE notifications SET status = 'sending', lease_until = ${Date.now() + 60_000} WHERE id = ${id}`);
    const sender = testSender({ fail: false });
    await deliver([id], { sender });
    expect(sender.sent).toHaveLength(0);
    await db.run(sql`UPDATE notifications SET lease_until = ${Date.now() - 1} WHERE id = ${id}`);
    await deliver([id], { sender });
    expect(sender.sent).toHaveLength(1);
    expect((await messagesOf(company.id))[0]!.status).toBe("sent");
  });

  it("a failed send is retried with a growing delay, and recorded with its code only", async () => {
    const { company, id, email } = await recorded();
    const failing = testSender({ fail: true });
    const first = await deliver([id], { sender: failing, attempts: 1 });
    expect(first.retryMessages).toEqual([{ msgId: `q0-${id}`, delaySeconds: 30 }]);
    expect(first.explicitAcks).toEqual([]);
    const third = await deliver([id], { sender: failing, attempts: 3 });
    expect(third.retryMessages).toEqual([{ msgId: `q0-${id}`, delaySeconds: 120 }]);
    const [row] = await messagesOf(company.id);
    expect([row!.status, row!.attempts, row!.outcome]).toEqual(["failed", 2, "provider_unavailable"]);
    expect(JSON.stringify(row)).not.toContain(email);
    // The next try that works sends it.
    const sender = testSender({ fail: false });
    await deliver([id], { sender, attempts: 4 });
    expect(sender.sent).toHaveLength(1);
    expect((await messagesOf(company.id)).map((r) => [r.status, r.attempts, r.outcome])).toEqual([["sent", 3, null]]);
    expect([1, 2, 3, 4, 5, 6, 10].map(retryDelaySeconds)).toEqual([30, 60, 120, 240, 480, 960, 3600]);
  });

  it("the dead-letter queue's delivery records the message as dead; a sent one stays sent", async () => {
    const { company, id } = await recorded();
    await deliver([id], { sender: testSender({ fail: true }) });
    const dead = await deliver([id], { queue: "loyalty-notifications-dead-dev" });
    expect(dead.explicitAcks).toEqual([`q0-${id}`]);
    expect((await messagesOf(company.id)).map((r) => [r.status, r.outcome])).toEqual([["dead", "provider_unavailable"]]);
    // A dead message is not sent by a late delivery of the main queue either.
    const sender = testSender({ fail: false });
    await deliver([id], { sender });
    expect(sender.sent).toEqual([]);

    const other = await recorded();
    await deliver([other.id], { sender });
    await deliver([other.id], { queue: "loyalty-notifications-dead-dev" });
    expect((await messagesOf(other.company.id)).map((r) => r.status)).toEqual(["sent"]);
  });

  it.each([
    ["the member unsubscribed since", "no_consent", (companyId: string, memberId: string) => db.run(sql`UPDATE members SET email_consent = 0 WHERE company_id = ${companyId} AND id = ${memberId}`)],
    ["the member was deactivated", "member_inactive", (companyId: string, memberId: string) => db.run(sql`UPDATE members SET status = 'inactive' WHERE company_id = ${companyId} AND id = ${memberId}`)],
    ["the email was removed", "no_email", (companyId: string, memberId: string) => db.run(sql`UPDATE members SET email = NULL WHERE company_id = ${companyId} AND id = ${memberId}`)],
    ["the company turned welcomes off", "kind_off", (companyId: string) => updateNotificationSettings(db, companyId, { welcome: false })],
  ])("checked again when sent: %s, so it is skipped", async (_, reason, change) => {
    const { company, id, memberId } = await recorded();
    await change(company.id, memberId);
    const sender = testSender({ fail: false });
    const result = await deliver([id], { sender });
    expect(result.explicitAcks).toEqual([`q0-${id}`]);
    expect(sender.sent).toEqual([]);
    expect((await messagesOf(company.id)).map((r) => [r.status, r.outcome])).toEqual([["skipped", reason]]);
  });

  it("with no sender configured now (a deployment lost its settings) it is tried again, not dropped; a body that is not a message id is", async () => {
    const { company, id } = await recorded();
    const result = await deliver([id], { sender: null });
    expect(result.retryMessages).toEqual([{ msgId: `q0-${id}`, delaySeconds: 30 }]);
    expect((await messagesOf(company.id)).map((r) => [r.status, r.outcome])).toEqual([["failed", "no_sender"]]);
    const junk = await deliver(["'; DROP TABLE notifications; --"]);
    expect(junk.explicitAcks).toHaveLength(1);
  });

  it("the outbox sender (tests and development) keeps the message", async () => {
    const { company, id, email } = await recorded();
    await deliver([id]);
    const kept = await outboxTo(email);
    expect(kept.map((k) => k.subject)).toEqual([`Welcome to the Test Café ${company.id} loyalty programme`]);
  });

  it("a consumer whose lease was taken over finishes nothing: the one that holds the claim records what happened", async () => {
    const { company, id } = await recorded();
    // A claims, its lease lapses, B takes it over and sends; A's late failure must not count.
    const { claimNotification, finishNotification } = await import("../../src/loyalty/notifications/records");
    const a = await claimNotification(db, id, Date.now() - 10 * 60_000);
    expect(a && "claimed" in a).toBe(true);
    const sender = testSender({ fail: false });
    await deliver([id], { sender });
    expect(sender.sent).toHaveLength(1);
    await finishNotification(db, (a as { claimed: { id: string; attempts: number } }).claimed, { status: "failed", outcome: "late" }, Date.now());
    expect((await messagesOf(company.id)).map((r) => [r.status, r.attempts, r.outcome])).toEqual([["sent", 2, null]]);
  });

  it("a delivery that finds another consumer's live lease looks again when the lease is over", async () => {
    const { id } = await recorded();
    const until = Date.now() + 90_000;
    await db.run(sql`UPDATE notifications SET status = 'sending', lease_until = ${until} WHERE id = ${id}`);
    const now = until - 60_000;
    const result = await deliver([id], { sender: testSender({ fail: false }), now });
    expect(result.retryMessages).toEqual([{ msgId: `q0-${id}`, delaySeconds: 60 }]);
  });

  it("a reward no longer within the balance when the message is sent (a redemption came between) is not told of", async () => {
    const company = await seedCompany({ rewards: [{ id: "coffee", title: "Free coffee", pointsRequired: 100 }, { id: "tea", title: "Free tea", pointsRequired: 50 }] });
    const email = uniqueEmail("ivy");
    const memberId = await consentingMember(company, { firstName: "Ivy", email, points: 120 });
    await testNotifier(undefined, undefined).balanceRose(company.id, memberId, 0, 120);
    const [row] = await messagesOf(company.id);
    await db.run(sql`UPDATE members SET points = 60 WHERE id = ${memberId}`);
    const sender = testSender({ fail: false });
    await deliver([row!.id], { sender });
    expect(sender.sent[0]!.text).toContain("You have 60 Points: enough for Free tea (50 Points).");
    // Only what was told is recorded as told: the coffee may be told of another day.
    expect(await db.all(sql`SELECT reward_id FROM reward_notices WHERE company_id = ${company.id}`)).toEqual([{ reward_id: `tea_${company.id}` }]);
    await db.run(sql`UPDATE members SET points = 10 WHERE id = ${memberId}`);
    await testNotifier(undefined, undefined).balanceRose(company.id, memberId, 0, 120, Date.now() + 86_400_000);
    const [, next] = await messagesOf(company.id);
    await deliver([next!.id], { sender });
    expect((await messagesOf(company.id)).map((r) => [r.status, r.outcome])).toEqual([["sent", null], ["skipped", "nothing_to_tell"]]);
  });
});

