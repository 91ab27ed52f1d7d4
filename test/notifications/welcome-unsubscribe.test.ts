import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { redactPath } from "../../src/lib/logger";
import { unsubscribeUrl } from "../../src/loyalty/notifications/unsubscribe";
import { updateNotificationSettings } from "../../src/loyalty/notifications/settings";
import { call, db, ORIGIN, seedCompany } from "../harness";
import { goodForm, joinPost, membersOf } from "../member-pages/join-harness";
import { consentingMember, messagesOf, testNotifier, uniqueEmail, waitForOutbox, waitForSettled } from "../notifications-harness";

// Joining at the counter with the email box ticked: the welcome; and the unsubscribe link every
// message carries (signed, no sign-in; GET asks, POST stops, one-click too).

const consentOf = async (memberId: string) =>
  (await db.all<{ email_consent: number }>(sql`SELECT email_consent FROM members WHERE id = ${memberId}`))[0]!.email_consent;

describe("welcome", () => {
  it("joining with an email and the box ticked: one welcome, in the outbox, naming the programme", async () => {
    const company = await seedCompany();
    const email = uniqueEmail("ada");
    const res = await joinPost(`/join/${company.id}`, goodForm({ email, email_consent: "true" }));
    expect(res.status).toBe(303);
    const [kept] = await waitForOutbox(email);
    expect(kept!.subject).toBe(`Welcome to the Test Café ${company.id} loyalty programme`);
    expect(kept!.text).toMatch(/^Hello Ada,\n\nYou are now a member of the Test Café \d+ loyalty programme\.\n\nYou have 0 Points\./);
    const [member] = await membersOf(company.id);
    expect(await db.all(sql`SELECT email_consent, email_consent_at IS NOT NULL AS dated FROM members WHERE id = ${member!.id}`)).toEqual([{ email_consent: 1, dated: 1 }]);
    expect((await waitForSettled(company.id)).map((r) => [r.kind, r.occasion, r.status])).toEqual([["welcome", "joined", "sent"]]);
    // Welcomed once, whatever asks again.
    await testNotifier().welcome(company.id, member!.id);
    expect(await messagesOf(company.id)).toHaveLength(1);
  });

  it("without the box ticked, or with welcomes off: no message at all", async () => {
    const company = await seedCompany();
    expect((await joinPost(`/join/${company.id}`, goodForm({ email: uniqueEmail("ada") }))).status).toBe(303);
    const [member] = await membersOf(company.id);
    expect(await consentOf(member!.id)).toBe(0);
    const off = await seedCompany();
    await updateNotificationSettings(db, off.id, { welcome: false });
    expect((await joinPost(`/join/${off.id}`, goodForm({ email: uniqueEmail("ada"), email_consent: "true" }))).status).toBe(303);
    expect(await messagesOf(company.id)).toEqual([]);
    expect(await messagesOf(off.id)).toEqual([]);
  });

  it("the join form keeps the box ticked when it is refused", async () => {
    const company = await seedCompany();
    const res = await joinPost(`/join/${company.id}`, goodForm({ first_name: "", email: uniqueEmail("ada"), email_consent: "true" }));
    expect(res.status).toBe(400);
    expect(res.html).toMatch(/<input id="f-email_consent" type="checkbox" name="email_consent" value="true" checked=""/);
  });
});

describe("unsubscribe", () => {
  async function member() {
    const company = await seedCompany();
    const email = uniqueEmail("grace");
    const memberId = await consentingMember(company, { firstName: "Grace", email });
    const url = await unsubscribeUrl(ORIGIN, env.REDEEM_SIGNING_KEY, company.id, memberId);
    return { company, memberId, email, url };
  }

  it("the link asks first (a GET changes nothing), the button stops every email, and it can be undone", async () => {
    const { company, memberId, url } = await member();
    const page = await call(url);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(`<h1>Stop emails from the Test Café ${company.id} loyalty programme?</h1>`);
    expect(html).toContain(`<form method="post" action="${new URL(url).pathname}" class="stack">`);
    expect(page.headers.get("cache-control")).toBe("private, no-store");
    expect(await consentOf(memberId)).toBe(1);

    const done = await call(url, { method: "POST" });
    expect(done.status).toBe(200);
    const answer = await done.text();
    expect(answer).toContain("<h1>You are unsubscribed</h1>");
    expect(answer).toContain(`action="${new URL(url).pathname}/subscribe"`);
    expect(await consentOf(memberId)).toBe(0);
    // Nothing more is recorded for them.
    await testNotifier().welcome(company.id, memberId);
    expect(await messagesOf(company.id)).toEqual([]);

    // Subscribing again comes only from our own page (Origin): a post from elsewhere is refused.
    const forged = await call(`${url}/subscribe`, { method: "POST", headers: { origin: "https://evil.example" } });
    expect(forged.status).toBe(403);
    expect(await consentOf(memberId)).toBe(0);
    const again = await call(`${url}/subscribe`, { method: "POST", headers: { origin: ORIGIN } });
    expect(await again.text()).toContain("You will get our emails again.");
    expect(await consentOf(memberId)).toBe(1);
  });

  it("one-click (RFC 8058): a mail program's POST with List-Unsubscribe=One-Click stops them", async () => {
    const { memberId, url } = await member();
    const res = await exports.default.fetch(
      new Request(url, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "List-Unsubscribe=One-Click" }),
    );
    expect(res.status).toBe(200);
    expect(await consentOf(memberId)).toBe(0);
  });

  it("the signature is never logged: request logs write :sig", () => {
    expect(redactPath("/unsubscribe/123/mem_abc/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-AbCd")).toBe("/unsubscribe/123/mem_abc/:sig");
    expect(redactPath("/unsubscribe/123/mem_abc/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789_-AbCd/subscribe")).toBe("/unsubscribe/123/mem_abc/:sig/subscribe");
  });

  it("a wrong or another member's signature is not found, and changes nothing", async () => {
    const a = await member();
    const b = await member();
    const forged = a.url.replace(/\/[A-Za-z0-9_-]{43}$/, `/${b.url.split("/").pop()}`);
    for (const url of [forged, `${a.url.slice(0, -1)}x`, a.url.replace(a.memberId, b.memberId), `${ORIGIN}/unsubscribe/${a.company.id}/${a.memberId}/short`]) {
      const res = await call(url, { method: "POST" });
      expect(res.status).toBe(404);
      expect(await res.text()).toContain("This link is not valid");
    }
    expect(await consentOf(a.memberId)).toBe(1);
    expect(await consentOf(b.memberId)).toBe(1);
  });
});

describe("/dev/outbox", () => {
  it("shows what was kept in development, and does not exist anywhere else", async () => {
    const company = await seedCompany();
    const email = uniqueEmail("ada");
    const id = await consentingMember(company, { firstName: "Ada", email });
    await testNotifier().welcome(company.id, id);
    await waitForOutbox(email);
    const ctx = createExecutionContext();
    const dev = await createApp().fetch(new Request(`${ORIGIN}/dev/outbox`), { ...env, ENVIRONMENT: "development" } as Env, ctx);
    await waitOnExecutionContext(ctx);
    expect(dev.status).toBe(200);
    const html = await dev.text();
    expect(html).toContain("<h1>Outbox</h1>");
    expect(html).toContain(`To <strong>${email}</strong>, from Test Café ${company.id}`);
    const res = await call(`${ORIGIN}/dev/outbox`);
    expect(res.status).toBe(404);
  });
});
