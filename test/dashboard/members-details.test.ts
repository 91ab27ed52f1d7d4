import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { members } from "../../src/storage/schema";
import { admin, adminKey } from "../admin-harness";
import { figure, page, post, signedIn } from "../dashboard-harness";
import { db, getJson, kountaUrl, seedCompany } from "../harness";

// Adding a member (POST /dashboard/members), changing their details (POST /dashboard/members/:id),
// deactivating and reactivating them: the admin API's schemas and domain calls, and the POS sees it.

const memberRow = async (id: string) => (await db.select().from(members).where(eq(members.id, id)))[0]!;
const companyMembers = async (companyId: string) => db.select().from(members).where(eq(members.companyId, companyId));

const lookup = (companyId: string, id: string) =>
  getJson(kountaUrl("reward-lookup", { customer_id: "789", reference_id: id, site_id: "123", company_id: companyId, order_id: "111" }));

const details = { first_name: "Ada", last_name: "Lovelace", email: "ada@example.com", phone: "0412 345 678", card_number: "100 200" };

describe("dashboard: adding a member", () => {
  it("shows the form, then enrols the member with no points and opens their page", async () => {
    const company = await seedCompany();
    const browser = await signedIn(company.id);
    const form = await page(browser, "/dashboard/members/new");
    expect(form.status).toBe(200);
    expect(form.html).toContain(`<form method="post" action="/dashboard/members" class="stack" aria-label="Add a member"><input type="hidden" name="_csrf" value="${browser.csrf}"/>`);

    const res = await post(browser, "/dashboard/members", { first_name: " Charles ", last_name: "", email: "", phone: "", card_number: "100-200-301" });
    expect(res.status).toBe(303);
    const id = /^\/dashboard\/members\/(mem_[a-z0-9]+)\?done=created$/.exec(res.location ?? "")?.[1];
    expect(id).toBeDefined();
    expect(await memberRow(id!)).toMatchObject({ companyId: company.id, firstName: "Charles", lastName: null, email: null, phone: null, cardNumber: "100200301", points: 0, status: "active" });

    const shown = await page(browser, res.location!);
    expect(shown.html).toContain("The member was added.");
    expect(figure(shown.html, "member-name")).toBe("Charles");
    // The till finds them by their card.
    const search = await getJson(kountaUrl("customer-search", { keyword: "100200301", company_id: company.id }));
    expect(Object.keys(search.body.members)).toEqual([id]);
  });

  it("refuses a member without any contact, keeping what was typed, and adds nobody", async () => {
    const company = await seedCompany();
    const res = await post(await signedIn(company.id), "/dashboard/members", { first_name: "Nobody", last_name: "Known", email: "", phone: "", card_number: "" });
    expect(res.status).toBe(400);
    expect(res.html).toContain("<p>A member needs an email, phone or card_number</p>");
    expect(res.html).toContain(`name="last_name" type="text" value="Known"`);
    expect(await companyMembers(company.id)).toEqual([]);
  });

  it("refuses a bad email beside the field, and a duplicate one with 409", async () => {
    const company = await seedCompany();
    await company.addMember({ firstName: "First", email: "taken@example.com" });
    const browser = await signedIn(company.id);

    const bad = await post(browser, "/dashboard/members", { ...details, email: "not-an-email" });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain(`<span class="error" id="n-email-error">Invalid email address</span>`);
    expect(bad.html).toContain(`value="not-an-email"`);

    const dup = await post(browser, "/dashboard/members", { ...details, email: "Taken@Example.com" });
    expect(dup.status).toBe(409);
    expect(dup.html).toContain(`<span class="error" id="n-email-error">Another member already has this email.</span>`);
    expect(dup.html).toContain(`value="Taken@Example.com"`);
    expect(await companyMembers(company.id)).toHaveLength(1);
  });
});

describe("dashboard: a member's details", () => {
  it("saves every field (a blank one cleared), and the POS and admin API see the change", async () => {
    const company = await seedCompany();
    const id = await company.addMember({ firstName: "Ada", lastName: "Byron", email: "ada@example.com", phone: "0400 000 000", openingPoints: 40 });
    const browser = await signedIn(company.id);
    expect((await lookup(company.id, id)).body.member.first_name).toBe("Ada");

    const res = await post(browser, `/dashboard/members/${id}`, { first_name: "Augusta", last_name: "King", email: "", phone: "0412 999 888", card_number: "ab-12" });
    expect(res.status).toBe(303);
    expect(res.location).toBe(`/dashboard/members/${id}?done=saved`);
    expect(await memberRow(id)).toMatchObject({ firstName: "Augusta", lastName: "King", email: null, phone: "0412 999 888", cardNumber: "AB12", points: 40 });

    const pos = await lookup(company.id, id);
    expect(pos.body.member).toMatchObject({ first_name: "Augusta", last_name: "King", email_address: "", current_points: "40" });
    const api = await admin(await adminKey(company.id), "GET", "/members?q=0412999888");
    expect(api.body.data.map((m: { id: string }) => m.id)).toEqual([id]);
    expect((await page(browser, res.location!)).html).toContain("The details were saved.");
  });

  it("refuses a bad field beside it, keeping what was typed, and changes nothing", async () => {
    const company = await seedCompany();
    const id = await company.addMember({ firstName: "Ada", email: "ada@example.com" });
    const before = await memberRow(id);
    const res = await post(await signedIn(company.id), `/dashboard/members/${id}`, { ...details, first_name: "", phone: "call me" });
    expect(res.status).toBe(400);
    expect(res.html).toContain(`<span class="error" id="d-first_name-error">Too small: expected string to have &gt;=1 characters</span>`);
    expect(res.html).toContain(`<span class="error" id="d-phone-error">Use digits, spaces and + - ( ) only</span>`);
    expect(res.html).toContain(`name="phone" type="tel" value="call me"`);
    expect(res.html).toContain(`name="last_name" type="text" value="Lovelace"`);
    expect(await memberRow(id)).toEqual(before);
  });

  it("refuses another member's card number with 409, and clearing every contact with 400", async () => {
    const company = await seedCompany();
    await company.addMember({ firstName: "Other", cardNumber: "777" });
    const id = await company.addMember({ firstName: "Ada", email: "ada@example.com" });
    const before = await memberRow(id);
    const browser = await signedIn(company.id);

    const dup = await post(browser, `/dashboard/members/${id}`, { ...details, card_number: "7-7-7" });
    expect(dup.status).toBe(409);
    expect(dup.html).toContain(`<span class="error" id="d-card_number-error">Another member already has this card number.</span>`);
    expect(dup.html).toContain(`value="7-7-7"`);

    const none = await post(browser, `/dashboard/members/${id}`, { first_name: "Ada", last_name: "", email: "", phone: "", card_number: "" });
    expect(none.status).toBe(400);
    expect(none.html).toContain("<p>A member needs an email, phone or card_number: this change would leave none</p>");
    expect(await memberRow(id)).toEqual(before);
  });
});

describe("dashboard: deactivating and reactivating", () => {
  it("deactivates (the POS refuses the member, points stay), then reactivates (the POS serves them again)", async () => {
    const company = await seedCompany();
    const id = await company.addMember({ firstName: "Ada", email: "ada@example.com", openingPoints: 300 });
    const browser = await signedIn(company.id);
    expect((await lookup(company.id, id)).status).toBe(200);

    const off = await post(browser, `/dashboard/members/${id}/deactivate`, {});
    expect(off.status).toBe(303);
    expect(off.location).toBe(`/dashboard/members/${id}?done=deactivated`);
    expect(await memberRow(id)).toMatchObject({ status: "inactive", points: 300, searchTerms: "" });
    expect(await lookup(company.id, id)).toMatchObject({ status: 404, body: { error: "This membership is no longer active." } });
    const offPage = await page(browser, off.location!);
    expect(offPage.html).toContain("The member was deactivated.");
    expect(figure(offPage.html, "member-status")).toBe("Inactive");

    const on = await post(browser, `/dashboard/members/${id}/reactivate`, {});
    expect(on.status).toBe(303);
    expect(on.location).toBe(`/dashboard/members/${id}?done=reactivated`);
    expect(await memberRow(id)).toMatchObject({ status: "active", points: 300 });
    const pos = await lookup(company.id, id);
    expect(pos.status).toBe(200);
    expect(pos.body.member.current_points).toBe("300");
    expect((await admin(await adminKey(company.id), "GET", `/members/${id}`)).body.status).toBe("active");
  });
});
