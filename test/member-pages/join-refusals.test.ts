import { afterEach, describe, expect, it, vi } from "vitest";
import { rateLimitKey } from "../../src/lib/rate-limit";
import { joinFormToken } from "../../src/member-pages/join-form-token";
import { seedCompany } from "../harness";
import { fieldError, fieldValue, freshIp, goodForm, joinPost, pageToken, SIGNING_KEY, startOfRateWindow, writtenBy } from "./join-harness";

// What the join form refuses, and that a refused post writes nothing.

afterEach(() => {
  vi.restoreAllMocks();
});

describe("fields the form refuses", () => {
  it.each([
    ["no email and no mobile", { email: "", phone: "" }, "email", "Give your email or your mobile number (or both)."],
    ["no first name", { first_name: "  " }, "first_name", "Please enter your first name (at most 100 characters)."],
    ["no consent", { consent: ["false"] }, "consent", "Tick this box to join."],
    ["no consent box at all", { consent: [] }, "consent", "Tick this box to join."],
    ["an email that is none", { email: "ada@" }, "email", "This is not an email address we can use: check it (such as name@example.com)."],
    ["a mobile number in letters", { email: "", phone: "call me" }, "phone", "Use digits, spaces and + - ( ) only."],
    ["a last name too long", { last_name: "x".repeat(101) }, "last_name", "Your last name can have at most 100 characters."],
  ])("%s: 400, the message by the field, what was typed kept, nothing written", async (_, change, field, message) => {
    const company = await seedCompany();
    const form = goodForm({ phone: "0412 345 678", ...change });

    const res = await joinPost(`/join/${company.id}`, form);

    expect(res.status).toBe(400);
    expect(fieldError(res.html, field)).toBe(message);
    expect(res.html).toContain(`aria-describedby="f-${field}-error`);
    expect(res.html).toContain("Nothing was saved.");
    for (const name of ["first_name", "last_name", "email", "phone"]) {
      expect(fieldValue(res.html, name), name).toBe(typeof form[name] === "string" ? form[name] : "");
    }
    const consentTicked = Array.isArray(form.consent) && form.consent.includes("true");
    expect(res.html.includes('name="consent" value="true" checked=""')).toBe(consentTicked);
    // A fresh token, to try again.
    expect(res.html).toMatch(/<input type="hidden" name="_csrf" value="[0-9a-z]+\.[A-Za-z0-9_-]{43}"/);
    expect(await writtenBy(company.id)).toEqual({ members: 0, links: 0 });
  });

  it("names every field at fault at once", async () => {
    const company = await seedCompany();
    const res = await joinPost(`/join/${company.id}`, goodForm({ first_name: "", email: "", consent: ["false"] }));
    expect(res.status).toBe(400);
    expect(res.html).toContain("3 fields need a change");
    expect(fieldError(res.html, "first_name")).not.toBeNull();
    expect(fieldError(res.html, "email")).not.toBeNull();
    expect(fieldError(res.html, "consent")).not.toBeNull();
  });
});

describe("robots", () => {
  it("a filled honeypot: a plain 400 that says nothing of why, and nothing written", async () => {
    const company = await seedCompany();
    const res = await joinPost(`/join/${company.id}`, goodForm({ website: "https://spam.example" }));
    expect(res.status).toBe(400);
    expect(res.html).toContain("<h1>Could not join</h1>");
    expect(res.html).toContain("Sorry, we could not join you up here. Please ask at the counter.");
    expect(res.html).not.toMatch(/honeypot|website|<form/i);
    expect(await writtenBy(company.id)).toEqual({ members: 0, links: 0 });
  });
});

/** What was typed, as the page drew it again: the four text fields and the consent box. */
function expectTyped(html: string, form: Record<string, unknown>) {
  for (const name of ["first_name", "last_name", "email", "phone"]) {
    expect(fieldValue(html, name), name).toBe(typeof form[name] === "string" ? form[name] : "");
  }
  expect(html).toContain('name="consent" value="true" checked=""');
}

const freshTokenPattern = /<input type="hidden" name="_csrf" value="[0-9a-z]+\.[A-Za-z0-9_-]{43}"/;

describe("forged posts", () => {
  const FORGED = "This form could not be accepted: it did not come from this page, or the page was open too long. Nothing was saved.";
  const STALE = "This page was open too long, so nothing was saved. Check the form and send it again.";

  it.each([
    ["another Origin", { origin: "https://evil.example", secFetchSite: "cross-site" }],
    ["no Origin, cross-site", { origin: null, secFetchSite: "cross-site" }],
  ] as const)("%s: 403, a page of its own (no form, nothing of what was sent), nothing written", async (_, options) => {
    const company = await seedCompany();
    for (const path of [`/join/${company.id}`, `/join/${company.id}/send-link`]) {
      const res = await joinPost(path, goodForm(), options);
      expect(res.status, path).toBe(403);
      expect(res.html).toContain(FORGED);
      expect(res.html).not.toContain("<form");
      expect(res.html).not.toContain("Lovelace");
    }
    expect(await writtenBy(company.id)).toEqual({ members: 0, links: 0 });
  });

  const stale: [string, (companyId: string) => Promise<Parameters<typeof joinPost>[2]>][] = [
    ["no token", async () => ({ csrf: null })],
    ["a wrong token", async () => ({ csrf: "lx1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" })],
    ["another company's token", async (id) => ({ csrf: await joinFormToken(SIGNING_KEY, `${id}9`) })],
    ["a token signed with another key", async (id) => ({ csrf: await joinFormToken("another-signing-key-0123456789abcdef", id) })],
    ["a token three hours old", async (id) => ({ csrf: await joinFormToken(SIGNING_KEY, id, Date.now() - 3 * 3600_000) })],
    ["a token from the future", async (id) => ({ csrf: await joinFormToken(SIGNING_KEY, id, Date.now() + 3600_000) })],
  ];

  it.each(stale)("%s from our own page: 403, the form again as typed with a fresh token, nothing written", async (_, forge) => {
    const company = await seedCompany();
    const form = goodForm({ phone: "0412 345 678" });
    const res = await joinPost(`/join/${company.id}`, form, await forge(company.id));

    expect(res.status).toBe(403);
    expect(res.html).toContain(`<div class="notice bad" role="alert" tabindex="-1" data-problems=""><p>${STALE}</p></div>`);
    expectTyped(res.html, form);
    expect(res.html).toMatch(freshTokenPattern);

    // The send-link page: drawn again with the details it carries, to press once more.
    const link = await joinPost(`/join/${company.id}/send-link`, { email: "ada.lovelace@example.com", phone: "0412 345 678" }, await forge(company.id));
    expect(link.status).toBe(403);
    expect(link.html).toContain(STALE);
    expect(link.html).toContain('<input type="hidden" name="email" value="ada.lovelace@example.com"/>');
    expect(link.html).toContain('<input type="hidden" name="phone" value="0412 345 678"/>');
    expect(link.html).toMatch(freshTokenPattern);
    expect(await writtenBy(company.id)).toEqual({ members: 0, links: 0 });
  });

  it("a stale post that is sent again with the page's fresh token joins", async () => {
    const company = await seedCompany();
    const refused = await joinPost(`/join/${company.id}`, goodForm(), { csrf: null });
    expect(refused.status).toBe(403);
    const again = await joinPost(`/join/${company.id}`, goodForm(), { csrf: pageToken(refused.html) });
    expect(again.status).toBe(303);
    expect(await writtenBy(company.id)).toEqual({ members: 1, links: 1 });
  });

  it("neither Origin nor Sec-Fetch-Site: 403, nothing written", async () => {
    const company = await seedCompany();
    const res = await joinPost(`/join/${company.id}`, goodForm(), { origin: null, secFetchSite: null });
    expect(res.status).toBe(403);
    expect(res.html).not.toContain("<form");
    expect(await writtenBy(company.id)).toEqual({ members: 0, links: 0 });
  });
});

// A test that fills a window may first wait up to a minute for the next one (startOfRateWindow).
describe("rate limits", { timeout: 90_000 }, () => {
  it("per IP: past 10 posts a minute, 429 and nothing written; another IP still joins", async () => {
    await startOfRateWindow();
    const company = await seedCompany();
    const ip = freshIp();
    for (let i = 0; i < 10; i++) {
      expect((await joinPost(`/join/${company.id}`, goodForm({ consent: ["false"] }), { ip })).status).toBe(400);
    }

    const res = await joinPost(`/join/${company.id}`, goodForm(), { ip });

    expect(res.status).toBe(429);
    expect(res.res.headers.get("retry-after")).toBe("60");
    expect(res.html).toContain("There have been too many tries from your connection. Nothing was saved. Please wait a minute, then try again.");
    // The form again, as typed, to send once the minute has passed.
    expectTyped(res.html, goodForm());
    expect(res.html).toMatch(freshTokenPattern);
    expect(await writtenBy(company.id)).toEqual({ members: 0, links: 0 });
    // The send-link form counts against the same limit, and keeps the details it carries.
    const link = await joinPost(`/join/${company.id}/send-link`, { email: "ada.lovelace@example.com" }, { ip });
    expect(link.status).toBe(429);
    expect(link.res.headers.get("retry-after")).toBe("60");
    expect(link.html).toContain('<input type="hidden" name="email" value="ada.lovelace@example.com"/>');

    expect((await joinPost(`/join/${company.id}`, goodForm(), { ip: freshIp() })).status).toBe(303);
    expect(await writtenBy(company.id)).toEqual({ members: 1, links: 1 });
  });

  it("per IP over IPv6: the addresses of one /64 count together", async () => {
    await startOfRateWindow();
    const company = await seedCompany();
    const n = Math.floor(Math.random() * 0xffff).toString(16);
    for (let i = 0; i < 10; i++) {
      expect((await joinPost(`/join/${company.id}`, goodForm({ consent: ["false"] }), { ip: `2001:db8:${n}:1::${i + 1}` })).status).toBe(400);
    }
    expect((await joinPost(`/join/${company.id}`, goodForm(), { ip: `2001:0db8:${n}:0001:ffff::99` })).status).toBe(429);
    expect(await writtenBy(company.id)).toEqual({ members: 0, links: 0 });
    expect((await joinPost(`/join/${company.id}`, goodForm(), { ip: `2001:db8:${n}:2::1` })).status).toBe(303);
  });

  it("counts an IPv4 address whole and an IPv6 address by its /64", () => {
    expect(rateLimitKey("203.0.113.7")).toBe("ip:203.0.113.7");
    expect(rateLimitKey("2001:db8:85a3:8d3:1319:8a2e:370:7348")).toBe("ip6:2001:db8:85a3:8d3::/64");
    expect(rateLimitKey("2001:0DB8:0:0001::1")).toBe("ip6:2001:db8:0:1::/64");
    expect(rateLimitKey("2001:db8::1")).toBe("ip6:2001:db8:0:0::/64");
    expect(rateLimitKey("::1")).toBe("ip6:0:0:0:0::/64");
    expect(rateLimitKey("")).toBe("ip:unknown");
  });

  it("per IP across companies: the count is the visitor's, not the page's", async () => {
    await startOfRateWindow();
    const ip = freshIp();
    for (let i = 0; i < 10; i++) {
      const company = await seedCompany();
      expect((await joinPost(`/join/${company.id}`, goodForm({ consent: ["false"] }), { ip })).status).toBe(400);
    }
    const company = await seedCompany();
    expect((await joinPost(`/join/${company.id}`, goodForm(), { ip })).status).toBe(429);
    expect(await writtenBy(company.id)).toEqual({ members: 0, links: 0 });
  });

  it("per company: past 60 posts a minute from anywhere, 429 and nothing written", async () => {
    await startOfRateWindow(30);
    const company = await seedCompany();
    // Six visitors of ten posts each: none reaches its own limit.
    const ips = Array.from({ length: 6 }, freshIp);
    for (let i = 0; i < 60; i++) {
      expect((await joinPost(`/join/${company.id}`, goodForm({ consent: ["false"] }), { ip: ips[i % 6] })).status).toBe(400);
    }

    const res = await joinPost(`/join/${company.id}`, goodForm());

    expect(res.status).toBe(429);
    expect(res.html).toContain("A lot of people are joining right now. Nothing was saved. Please wait a minute, then try again.");
    expectTyped(res.html, goodForm());
    expect(await writtenBy(company.id)).toEqual({ members: 0, links: 0 });
    // Another company is not held up.
    const other = await seedCompany();
    expect((await joinPost(`/join/${other.id}`, goodForm())).status).toBe(303);
  });

  it("without the bindings (an environment that declares none): posts are allowed, and that is logged once", async () => {
    const company = await seedCompany();
    const warn = vi.spyOn(console, "warn");
    const env = { JOIN_IP_RATE_LIMITER: undefined, JOIN_COMPANY_RATE_LIMITER: undefined };

    const missing = () =>
      warn.mock.calls.map(([line]) => JSON.parse(String(line))).filter((l) => l.msg === "rate limiting binding missing: every call allowed");

    const first = await joinPost(`/join/${company.id}`, goodForm(), { env });
    expect(missing().map((l) => l.binding)).toEqual(["JOIN_IP_RATE_LIMITER", "JOIN_COMPANY_RATE_LIMITER"]);
    const second = await joinPost(`/join/${company.id}`, goodForm({ email: "second@example.com" }), { env });

    expect([first.status, second.status]).toEqual([303, 303]);
    expect(await writtenBy(company.id)).toEqual({ members: 2, links: 2 });
    // Once per binding (and isolate), not once per post.
    expect(missing()).toHaveLength(2);
  });
});
