import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { companies } from "../../src/storage/schema";
import { admin, adminKey } from "../admin-harness";
import { page, post, signedIn } from "../dashboard-harness";
import { db, seedCompany } from "../harness";
import { fieldError, goodForm, joinPage, joinPost, writtenBy } from "./join-harness";

// Self-enrolment and the join terms: in the admin API's settings and on the dashboard's Programme
// page, and what the join page does with them.

async function companyRow(id: string) {
  const [row] = await db.select().from(companies).where(eq(companies.id, id));
  return row!;
}

/** The programme form as the page sends it for a seeded company, with the joining settings given. */
function programmeForm(joining: { self_enrol: string[]; join_terms: string }) {
  return {
    points_label: "Points",
    intro_text: "",
    points_per_currency_unit: "1",
    minimum_spend: "0.00",
    expiry_months: "",
    auto_enrol: ["false"],
    point_value_cents: "1",
    reward_product_id: "9001",
    loyalty_payment_method_id: "5001",
    currency: "AUD",
    phone_country_code: "61",
    ...joining,
  };
}

describe("joining settings in the admin API", () => {
  it("reads them (on, no terms), changes them, and the join page follows", async () => {
    const company = await seedCompany();
    const key = await adminKey(company.id);
    expect((await admin(key, "GET", "/settings")).body).toMatchObject({ self_enrol: true, join_terms: null });

    const res = await admin(key, "PATCH", "/settings", { join_terms: "  I accept the Café's terms  " });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ self_enrol: true, join_terms: "I accept the Café's terms" });
    expect((await joinPage(`/join/${company.id}`)).html).toContain('<label for="f-consent">I accept the Café&#39;s terms</label>');

    const off = await admin(key, "PATCH", "/settings", { self_enrol: false, join_terms: null });
    expect(off.body).toMatchObject({ self_enrol: false, join_terms: null });
    expect(await companyRow(company.id)).toMatchObject({ selfEnrol: false, joinTerms: null });
    expect((await joinPage(`/join/${company.id}`)).status).toBe(403);
    expect((await joinPost(`/join/${company.id}`, goodForm())).status).toBe(403);
    expect(await writtenBy(company.id)).toEqual({ members: 0, links: 0 });
  });

  it("empty terms are no terms; refuses a non-boolean and terms too long", async () => {
    const company = await seedCompany();
    const key = await adminKey(company.id);
    expect((await admin(key, "PATCH", "/settings", { join_terms: "   " })).body.join_terms).toBeNull();
    const wrong = await admin(key, "PATCH", "/settings", { self_enrol: "yes" });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toBe("self_enrol: Invalid input: expected boolean, received string");
    const long = await admin(key, "PATCH", "/settings", { join_terms: "x".repeat(1001) });
    expect(long.status).toBe(400);
    expect(long.body.error.message).toBe("join_terms: Too big: expected string to have <=1000 characters");
    expect(await companyRow(company.id)).toMatchObject({ selfEnrol: true, joinTerms: null });
  });
});

describe("joining settings on the dashboard's Programme page", () => {
  it("shows them with a hint each, the join page's address and a link to the poster", async () => {
    const company = await seedCompany();
    const { status, html } = await page(await signedIn(company.id), "/dashboard/programme");
    expect(status).toBe(200);
    expect(html).toContain('<legend>Joining</legend>');
    expect(html).toContain('<input id="f-self_enrol" type="checkbox" name="self_enrol" value="true" checked="" aria-describedby="f-self_enrol-hint"/>');
    expect(html).toContain('<label for="f-self_enrol">Customers can join themselves</label>');
    expect(html).toContain('<span class="hint" id="f-self_enrol-hint">Customers join at your join page');
    expect(html).toContain('<textarea id="f-join_terms" name="join_terms" rows="3" maxlength="1000" aria-describedby="f-join_terms-hint"></textarea>');
    expect(html).toContain(`leave it empty for: &quot;I agree to join the Test Café ${company.id} loyalty programme`);
    expect(html).toContain(`Your join page: <a href="https://loyalty.test/join/${company.id}">https://loyalty.test/join/${company.id}</a>.`);
    expect(html).toContain('<a href="/dashboard/poster">Print the poster with its QR code</a>');
  });

  it("saves them: D1, the admin API and the join page see them", async () => {
    const company = await seedCompany();
    const browser = await signedIn(company.id);

    const res = await post(browser, "/dashboard/programme", programmeForm({ self_enrol: ["false"], join_terms: "Our terms: democafe.example/terms" }));

    expect(res.status).toBe(303);
    expect(res.location).toBe("/dashboard/programme?done=saved");
    expect(await companyRow(company.id)).toMatchObject({ selfEnrol: false, joinTerms: "Our terms: democafe.example/terms" });
    expect((await admin(await adminKey(company.id), "GET", "/settings")).body).toMatchObject({ self_enrol: false, join_terms: "Our terms: democafe.example/terms" });
    expect((await joinPage(`/join/${company.id}`)).status).toBe(403);
    const after = await page(browser, "/dashboard/programme");
    expect(after.html).toContain('<input id="f-self_enrol" type="checkbox" name="self_enrol" value="true" aria-describedby');
    expect(after.html).toContain(">Our terms: democafe.example/terms</textarea>");

    // And back on, the terms emptied.
    expect((await post(browser, "/dashboard/programme", programmeForm({ self_enrol: ["false", "true"], join_terms: " " }))).status).toBe(303);
    expect(await companyRow(company.id)).toMatchObject({ selfEnrol: true, joinTerms: null });
  });

  it("refuses terms too long: 400, the message by the field, what was typed kept, nothing saved", async () => {
    const company = await seedCompany();
    const before = await companyRow(company.id);
    const terms = "x".repeat(1001);
    const res = await post(await signedIn(company.id), "/dashboard/programme", programmeForm({ self_enrol: ["false"], join_terms: terms }));
    expect(res.status).toBe(400);
    expect(fieldError(res.html, "join_terms")).toBe("Too big: expected string to have <=1000 characters");
    expect(res.html).toContain(`>${terms}</textarea>`);
    expect(await companyRow(company.id)).toEqual(before);
  });
});
