import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { resolveCardLink } from "../../src/loyalty/members/card-links";
import { isValidCardNumber } from "../../src/loyalty/members/card-numbers";
import { members } from "../../src/storage/schema";
import { db, seedCompany } from "../harness";
import { updateNotificationSettings } from "../../src/loyalty/notifications/settings";
import { messagesOf, outboxTo, testNotifier, uniqueEmail, waitForOutbox, waitForSettled } from "../notifications-harness";
import { cardLinksOf, goodForm, joinPost, membersOf, pageToken, writtenBy } from "./join-harness";

// "Send me my card link": from the page that says a member already has these details. The answer
// is the same sentence whoever asks; the link goes only to the email of the member found.

const NEUTRAL = "If a member has those details, we have sent their card link to the email address of that membership.";
const NO_SENDER = "We cannot send emails from here. Ask at the counter: they can show you your card link to scan with your phone.";

/** A binding without a sender address: no sender, as in production (src/notify/email.ts). */
const HALF_SENDER = { SEND_EMAIL: { send: async () => ({ messageId: "never" }) }, EMAIL_FROM: "" };

const linkIn = (text: string) => /https:\/\/loyalty\.test\/card\/([A-Za-z0-9_-]{43})/.exec(text)?.[1] ?? null;

// The email is a message of kind card_link: recorded, enqueued, sent by the queue's consumer to the
// tests' outbox (src/notify/dev-outbox.ts). Addresses are unique per test: the outbox is shared.

describe("send me my card link", () => {
  it("with a sender: joining again offers it, and the member gets a new link by email (the old one stays)", async () => {
    const company = await seedCompany();
    const email = uniqueEmail("ada.lovelace");
    expect((await joinPost(`/join/${company.id}`, goodForm({ email }))).status).toBe(303);
    const [member] = await membersOf(company.id);

    const again = await joinPost(`/join/${company.id}`, goodForm({ email, phone: "0400 000 000" }));
    expect(again.status).toBe(409);
    expect(again.html).toContain(`<form method="post" action="/join/${company.id}/send-link" class="stack" aria-label="Send me my card link">`);
    expect(again.html).toContain(`<input type="hidden" name="email" value="${email}"/><input type="hidden" name="phone" value="0400 000 000"/>`);

    const res = await joinPost(`/join/${company.id}/send-link`, { email, phone: "0400 000 000" }, { csrf: pageToken(again.html) });

    expect(res.status).toBe(200);
    expect(res.html).toContain(NEUTRAL);
    const sent = await waitForOutbox(email);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ fromName: `Test Café ${company.id}`, to: email, subject: `Your Test Café ${company.id} loyalty card` });
    expect(sent[0]!.text).toMatch(/^Hello Ada,\n\nHere is the link to your Test Café \d+ loyalty card:\n\nhttps:\/\/loyalty\.test\/card\/[A-Za-z0-9_-]{43}\n/);
    const token = linkIn(sent[0]!.text)!;
    expect(await resolveCardLink(db, token)).toEqual({ companyId: company.id, memberId: member!.id });
    // The link from joining still opens the card: asking by email ends no link.
    const links = await cardLinksOf(company.id);
    expect(links).toHaveLength(2);
    expect(links.filter((l) => l.revoked_at === null)).toHaveLength(2);
  });

  it("found by a phone typed another way: the email goes to the member's own address", async () => {
    const company = await seedCompany();
    const email = uniqueEmail("grace");
    const memberId = await company.addMember({ firstName: "Grace", email, phone: "0412 345 678" });
    const res = await joinPost(`/join/${company.id}/send-link`, { phone: "+61 412 345 678" });
    expect(res.html).toContain(NEUTRAL);
    const sent = await waitForOutbox(email);
    expect(sent.map((m) => m.to)).toEqual([email]);
    expect(await resolveCardLink(db, linkIn(sent[0]!.text)!)).toEqual({ companyId: company.id, memberId });
  });

  it("one email per member every ten minutes, however often the form is sent: the answer stays the same", async () => {
    const company = await seedCompany();
    const email = uniqueEmail("ada.often");
    await company.addMember({ firstName: "Ada", email });
    for (let i = 0; i < 3; i++) {
      const res = await joinPost(`/join/${company.id}/send-link`, { email });
      expect(res.status).toBe(200);
      expect(res.html).toContain(NEUTRAL);
    }
    const rows = await waitForSettled(company.id);
    expect(rows.map((r) => [r.kind, r.status])).toEqual([["card_link", "sent"]]);
    const sent = await outboxTo(email);
    expect(sent).toHaveLength(1);
    expect((await cardLinksOf(company.id)).length).toBe(1);
    expect(sent[0]!.text).toContain("Card links you had before keep working; ask at the counter to end them.");
  });

  it("a member the merchant added without a card number gets one with the link", async () => {
    const company = await seedCompany();
    const email = uniqueEmail("ada");
    const memberId = await company.addMember({ firstName: "Ada", email });
    await joinPost(`/join/${company.id}/send-link`, { email });
    expect(await waitForOutbox(email)).toHaveLength(1);
    const [row] = await db.select().from(members).where(eq(members.id, memberId));
    expect(isValidCardNumber(row!.cardNumber ?? "")).toBe(true);
  });

  it.each([
    ["nobody has those details", async () => ({ email: "nobody@example.com" })],
    [
      "the member has no email (phone only)",
      async (company: Awaited<ReturnType<typeof seedCompany>>) => {
        await company.addMember({ firstName: "Grace", phone: "0412 345 678" });
        return { phone: "0412 345 678" };
      },
    ],
    [
      "the member is inactive",
      async (company: Awaited<ReturnType<typeof seedCompany>>) => {
        const id = await company.addMember({ firstName: "Ada", email: "ada@example.com" });
        await db.update(members).set({ status: "inactive", searchTerms: "" }).where(eq(members.id, id));
        return { email: "ada@example.com" };
      },
    ],
    ["nothing usable was sent", async () => ({ email: "not an email", phone: "x" })],
  ])("%s: the same sentence, nothing sent, no link issued", async (_, arrange) => {
    const company = await seedCompany();
    const fields = await arrange(company);
    const before = await writtenBy(company.id);
    const res = await joinPost(`/join/${company.id}/send-link`, fields);
    expect(res.status).toBe(200);
    expect(res.html).toContain(NEUTRAL);
    expect(await messagesOf(company.id)).toEqual([]);
    expect(await writtenBy(company.id)).toEqual(before);
  });

  it("without a sender: no offer, and the counter shows the link instead", async () => {
    const company = await seedCompany();
    await company.addMember({ firstName: "Ada", email: "ada@example.com" });
    // The binding without a sender address is no sender (the same in production).
    const res = await joinPost(`/join/${company.id}/send-link`, { email: "ada@example.com" }, { env: HALF_SENDER });
    expect(res.status).toBe(200);
    expect(res.html).toContain(NO_SENDER);
    expect(res.html).not.toContain(NEUTRAL);
    expect(await writtenBy(company.id)).toEqual({ members: 1, links: 0 });
    expect(await messagesOf(company.id)).toEqual([]);
  });

  it("with card links turned off by the company: no offer, and nothing is recorded", async () => {
    const company = await seedCompany();
    await updateNotificationSettings(db, company.id, { card_link: false });
    const email = uniqueEmail("ada");
    await company.addMember({ firstName: "Ada", email });
    const again = await joinPost(`/join/${company.id}`, goodForm({ email }));
    expect(again.status).toBe(409);
    expect(again.html).toContain("Ask at the counter: they can show you your card link to scan with your phone.");
    expect(again.html).not.toContain("send-link");
    const res = await joinPost(`/join/${company.id}/send-link`, { email });
    expect(res.html).toContain(NO_SENDER);
    expect(await messagesOf(company.id)).toEqual([]);
  });

  it("at most one per ten minutes and three a day, however the asks fall", async () => {
    const company = await seedCompany();
    const memberId = await company.addMember({ firstName: "Ada", email: uniqueEmail("ada") });
    const notifier = testNotifier(undefined, undefined);
    const start = Date.now();
    const minute = 60_000;
    for (const at of [0, 1, 9, 10.5, 11, 25, 40, 60]) await notifier.cardLink(company.id, memberId, start + at * minute);
    // 0, 10.5 and 25 minutes: the rest were too close to one, or past the day's three.
    expect((await messagesOf(company.id)).map((r) => r.occasion)).toEqual([`asked:${start}`, `asked:${start + 10.5 * minute}`, `asked:${start + 25 * minute}`]);
  });
});

