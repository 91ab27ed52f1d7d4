import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { sha256Base64Url } from "../../src/lib/crypto";
import { isValidCardNumber } from "../../src/loyalty/members/card-numbers";
import { memberPageHeaders } from "../../src/member-pages/layout";
import { pointsLedger } from "../../src/storage/schema";
import { db, getJson, kountaUrl, seedCompany } from "../harness";
import { cardLinksOf, fieldValue, goodForm, joinPage, joinPost, membersOf, pageToken, setCompany, writtenBy } from "./join-harness";

// Joining from the poster: the form, a new member with a card number and a card link, their card.

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the join page", () => {
  it("shows the programme, its intro and a form with the default consent, a hidden honeypot and a signed token", async () => {
    const company = await seedCompany({ introText: "Every 10th coffee on us", pointsLabel: "Beans" });
    const { status, html, res } = await joinPage(`/join/${company.id}`);

    expect(status).toBe(200);
    expect(res.headers.get("content-security-policy")).toBe(memberPageHeaders["Content-Security-Policy"]);
    expect(res.headers.get("cache-control")).toBe("private, no-store");
    expect(res.headers.get("x-robots-tag")).toBe("noindex");
    expect(html).toContain(`<h1>Join Test Café ${company.id}</h1>`);
    expect(html).toContain('<p class="join-intro">Every 10th coffee on us</p>');
    expect(html).toContain("Collect Beans when you buy");
    expect(html).toContain(`<form method="post" action="/join/${company.id}" class="stack"`);
    for (const name of ["first_name", "last_name", "email", "phone"]) expect(fieldValue(html, name), name).toBe("");
    expect(html).toContain('<input id="f-email" name="email" type="email"');
    expect(html).toContain('<input id="f-phone" name="phone" type="tel"');
    expect(html).toContain(
      `<label for="f-consent">I agree to join the Test Café ${company.id} loyalty programme and for Test Café ${company.id} to keep my name and contact details for it.</label>`,
    );
    expect(html).toContain(
      '<div class="join-extra" aria-hidden="true"><label for="f-website">Website (leave this empty)</label><input id="f-website" name="website" type="text" value="" tabindex="-1" autocomplete="off"/></div>',
    );
    expect(pageToken(html)).toMatch(/^[0-9a-z]+\.[A-Za-z0-9_-]{43}$/);
    expect(html).not.toContain("cf-turnstile");
    expect(html).not.toContain("challenges.cloudflare.com");
    expect(html).not.toMatch(/style=|<script>/);
  });

  it("shows the company's own terms when it wrote some", async () => {
    const company = await seedCompany();
    await setCompany(company.id, { joinTerms: "I accept the <Café> terms & conditions" });
    const { html } = await joinPage(`/join/${company.id}`);
    expect(html).toContain('<label for="f-consent">I accept the &lt;Café&gt; terms &amp; conditions</label>');
  });
});

describe("joining", () => {
  it("makes the member with a card number and a card link, and opens their card", async () => {
    const company = await seedCompany();
    const form = await joinPage(`/join/${company.id}`);

    const res = await joinPost(`/join/${company.id}`, goodForm({ phone: " 0412 345 678 " }), { csrf: pageToken(form.html) });

    expect(res.status).toBe(303);
    expect(res.res.headers.get("cache-control")).toBe("no-store");
    // One read (the company, anyone with this email or phone), one write (member and card link).
    expect(res.res.headers.get("server-timing")).toMatch(/^d1;dur=[\d.]+;desc="round_trips=2 queries=6 /);
    const token = /^\/card\/([A-Za-z0-9_-]{43})$/.exec(res.location ?? "")?.[1];
    expect(token).toBeDefined();
    const rows = await membersOf(company.id);
    expect(rows).toHaveLength(1);
    const member = rows[0]!;
    expect(member).toMatchObject({
      companyId: company.id,
      firstName: "Ada",
      lastName: "Lovelace",
      email: "ada.lovelace@example.com",
      phone: "0412 345 678",
      points: 0,
      status: "active",
      iconVersion: null,
    });
    expect(member.id).toMatch(/^mem_[0-9a-z]{16}$/);
    expect(member.cardNumber).toMatch(/^2\d{12}$/);
    expect(isValidCardNumber(member.cardNumber!)).toBe(true);
    expect(await cardLinksOf(company.id)).toEqual([
      { token_hash: await sha256Base64Url(token!), member_id: member.id, created_at: member.createdAt, revoked_at: null },
    ]);
    // No points, so no opening row: the ledger is empty.
    expect(await db.select().from(pointsLedger).where(eq(pointsLedger.memberId, member.id))).toEqual([]);

    // The POS finds them by the card number as a scanner types it.
    const search = await getJson(kountaUrl("customer-search", { keyword: member.cardNumber!, company_id: company.id }));
    expect(search.status).toBe(200);
    expect(Object.keys(search.body.members)).toEqual([member.id]);
  });

  it("takes a mobile number alone, and no last name", async () => {
    const company = await seedCompany();
    const res = await joinPost(`/join/${company.id}`, goodForm({ first_name: " Grace ", last_name: "", email: "", phone: "+61 412 000 111" }));
    expect(res.status).toBe(303);
    expect(await membersOf(company.id)).toMatchObject([{ firstName: "Grace", lastName: null, email: null, phone: "+61 412 000 111", points: 0 }]);
    expect(await cardLinksOf(company.id)).toHaveLength(1);
  });

  it("gives every member of the company a card number of their own", async () => {
    const company = await seedCompany();
    for (const i of [1, 2, 3]) {
      expect((await joinPost(`/join/${company.id}`, goodForm({ email: `m${i}@example.com` }))).status).toBe(303);
    }
    const cards = (await membersOf(company.id)).map((m) => m.cardNumber);
    expect(new Set(cards).size).toBe(3);
    expect(cards.every((c) => isValidCardNumber(c!))).toBe(true);
  });
});

describe("a card number already taken", () => {
  it("is drawn again: the member gets another, and nothing is half-written", async () => {
    const company = await seedCompany();
    // The first card number drawn is all zeros after the "2" (its check digit: 8): a member has it.
    await company.addMember({ firstName: "Taken", cardNumber: "2000000000008" });
    const real = crypto.getRandomValues.bind(crypto);
    let drawn = 0;
    vi.spyOn(crypto, "getRandomValues").mockImplementation(<T extends ArrayBufferView | null>(array: T): T => {
      if (array instanceof Uint8Array && array.length === 11 && drawn++ === 0) array.fill(0);
      else real(array as unknown as Uint8Array);
      return array;
    });

    const res = await joinPost(`/join/${company.id}`, goodForm());

    expect(res.status).toBe(303);
    expect(drawn).toBe(2);
    const rows = await membersOf(company.id);
    expect(rows.map((m) => m.firstName)).toEqual(["Taken", "Ada"]);
    expect(rows[1]!.cardNumber).not.toBe("2000000000008");
    expect(isValidCardNumber(rows[1]!.cardNumber!)).toBe(true);
    expect((await cardLinksOf(company.id)).map((l) => l.member_id)).toEqual([rows[1]!.id]);
  });
});

describe("joining again", () => {
  it("with an email a member has (in other capitals): no second member, the page says so", async () => {
    const company = await seedCompany();
    await company.addMember({ firstName: "Ada", email: "ada.lovelace@example.com" });

    const res = await joinPost(`/join/${company.id}`, goodForm({ first_name: "Someone", email: "ADA.Lovelace@example.com " }));

    expect(res.status).toBe(409);
    expect(res.html).toContain("<h1>You are already a member</h1>");
    expect(res.html).toContain(`A member of Test Café ${company.id} already has this email or mobile number, so we have not made a second card.`);
    // The tests' environment sends to the outbox: the page offers the card link by email.
    expect(res.html).toContain(`<form method="post" action="/join/${company.id}/send-link" class="stack" aria-label="Send me my card link">`);
    expect(await writtenBy(company.id)).toEqual({ members: 1, links: 0 });
    // Without a sender (a binding without its address, as in production) the counter shows the link instead.
    const noSender = await joinPost(`/join/${company.id}`, goodForm({ first_name: "Someone", email: "ada.lovelace@example.com" }), {
      env: { SEND_EMAIL: { send: async () => ({}) }, EMAIL_FROM: "" },
    });
    expect(noSender.html).toContain("Ask at the counter: they can show you your card link to scan with your phone.");
    expect(noSender.html).not.toContain("send-link");
  });

  it("with a phone a member has, written another way: no second member", async () => {
    const company = await seedCompany();
    await company.addMember({ firstName: "Grace", phone: "0412 345 678" });

    const res = await joinPost(`/join/${company.id}`, goodForm({ email: "", phone: "+61 (412) 345-678" }));

    expect(res.status).toBe(409);
    expect(res.html).toContain("<h1>You are already a member</h1>");
    expect(await writtenBy(company.id)).toEqual({ members: 1, links: 0 });
  });

  it("another company's member with the same email does not count", async () => {
    const other = await seedCompany();
    await other.addMember({ firstName: "Ada", email: "ada.lovelace@example.com", phone: "0412 345 678" });
    const company = await seedCompany();
    const res = await joinPost(`/join/${company.id}`, goodForm({ phone: "0412 345 678" }));
    expect(res.status).toBe(303);
    expect(await writtenBy(company.id)).toEqual({ members: 1, links: 1 });
    expect(await writtenBy(other.id)).toEqual({ members: 1, links: 0 });
  });
});

describe("a company that takes no one", () => {
  const closedCases = [
    ["unknown", 404, "There is no loyalty programme at this address."],
    ["not connected", 403, "loyalty programme is not open at the moment, so you cannot join here for now. Ask at the counter."],
    ["with self-enrolment off", 403, "does not take new members on this page. Ask at the counter."],
  ] as const;

  it.each(closedCases)("%s: a plain page for the form and the post, and nothing written", async (kind, status, sentence) => {
    const company = await seedCompany({ connected: kind !== "not connected" });
    if (kind === "with self-enrolment off") await setCompany(company.id, { selfEnrol: false });
    const id = kind === "unknown" ? `${company.id}9` : company.id;

    const page = await joinPage(`/join/${id}`);
    const posted = await joinPost(`/join/${id}`, goodForm());
    const sendLink = await joinPost(`/join/${id}/send-link`, { email: "ada.lovelace@example.com" });

    for (const res of [page, posted, sendLink]) {
      expect(res.status).toBe(status);
      expect(res.html).toContain(sentence);
      expect(res.html).not.toContain("<form");
      expect(res.res.headers.get("content-security-policy")).toBe(memberPageHeaders["Content-Security-Policy"]);
    }
    expect(await writtenBy(id)).toEqual({ members: 0, links: 0 });
  });
});
