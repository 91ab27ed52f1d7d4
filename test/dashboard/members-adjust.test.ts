import { and, desc, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { members, pointsLedger } from "../../src/storage/schema";
import { admin, adminKey } from "../admin-harness";
import { figure, page, post, signedIn, type Browser } from "../dashboard-harness";
import { db, expectBalanceMatchesLedger, getJson, kountaUrl, seedCompany } from "../harness";

// POST /dashboard/members/:id/adjust: a points adjustment through the admin API's schema and
// adjustPoints, written by the dashboard's actor, once per form (its hidden key), seen by the POS.

const balance = async (id: string) => (await db.select({ points: members.points }).from(members).where(eq(members.id, id)))[0]!.points;

const ledgerOf = (companyId: string, id: string) =>
  db
    .select()
    .from(pointsLedger)
    .where(and(eq(pointsLedger.companyId, companyId), eq(pointsLedger.memberId, id)))
    .orderBy(desc(pointsLedger.createdAt));

/** The hidden key of the points form as the member page draws it. */
async function formKey(browser: Browser, id: string): Promise<string> {
  const { html } = await page(browser, `/dashboard/members/${id}`);
  const key = /name="idempotency_key" value="([^"]+)"/.exec(html)?.[1];
  expect(key).toMatch(/^dashboard_[0-9a-f-]{36}$/);
  return key!;
}

async function lookupPoints(companyId: string, id: string): Promise<string> {
  const { status, body } = await getJson(kountaUrl("reward-lookup", { customer_id: "789", reference_id: id, site_id: "123", company_id: companyId, order_id: "111" }));
  expect(status).toBe(200);
  return body.member.current_points;
}

describe("dashboard points adjustment", () => {
  it("adds points with a reason: one ledger row by the dashboard, the new balance, and the POS and admin API see it", async () => {
    const company = await seedCompany({ pointsLabel: "Beans" });
    const id = await company.addMember({ firstName: "Ada", email: "ada@example.com", openingPoints: 100 });
    const browser = await signedIn(company.id);
    // The POS reads the member first (its card is cached), so a stale card would show.
    expect(await lookupPoints(company.id, id)).toBe("100");

    const key = await formKey(browser, id);
    const res = await post(browser, `/dashboard/members/${id}/adjust`, { points: "250", reason: "  Coffee machine broke  ", idempotency_key: key });
    expect(res.status).toBe(303);
    expect(res.location).toBe(`/dashboard/members/${id}?done=adjusted`);

    expect(await balance(id)).toBe(350);
    const [row] = await ledgerOf(company.id, id);
    expect(row).toMatchObject({ delta: 250, reason: "adjustment", note: "Coffee machine broke", actor: `dashboard:${browser.idHash.slice(0, 12)}`, idempotencyKey: `adjust:${key}` });
    await expectBalanceMatchesLedger(company.id);

    expect(await lookupPoints(company.id, id)).toBe("350");
    const api = await admin(await adminKey(company.id), "GET", `/members/${id}`);
    expect(api.body.points).toBe(350);

    const after = await page(browser, res.location!);
    expect(after.html).toContain("The Beans balance was changed.");
    expect(figure(after.html, "balance")).toBe("350");
    expect(after.html).toContain(`<td class="num">+250</td><td>Coffee machine broke</td><td>Dashboard · ${browser.idHash.slice(0, 12)}</td>`);
    // A fresh key for the next change.
    expect(await formKey(browser, id)).not.toBe(key);
  });

  it("takes points away with a negative number", async () => {
    const company = await seedCompany();
    const id = await company.addMember({ firstName: "Ada", email: "ada@example.com", openingPoints: 100 });
    const browser = await signedIn(company.id);
    const res = await post(browser, `/dashboard/members/${id}/adjust`, { points: "-40", reason: "Given twice", idempotency_key: await formKey(browser, id) });
    expect(res.status).toBe(303);
    expect(await balance(id)).toBe(60);
    expect(await lookupPoints(company.id, id)).toBe("60");
  });

  it("sending the same form twice (double click, reload) changes the balance once", async () => {
    const company = await seedCompany();
    const id = await company.addMember({ firstName: "Ada", email: "ada@example.com", openingPoints: 100 });
    const browser = await signedIn(company.id);
    const key = await formKey(browser, id);
    const fields = { points: "50", reason: "Birthday treat", idempotency_key: key };
    const [a, b] = await Promise.all([post(browser, `/dashboard/members/${id}/adjust`, fields), post(browser, `/dashboard/members/${id}/adjust`, fields)]);
    const c = await post(browser, `/dashboard/members/${id}/adjust`, fields);
    for (const res of [a, b, c]) {
      expect(res.status).toBe(303);
      expect(res.location).toBe(`/dashboard/members/${id}?done=adjusted`);
    }
    expect(await balance(id)).toBe(150);
    expect(await ledgerOf(company.id, id)).toHaveLength(2);

    // The same key with other values (a page kept open after its change): refused, nothing more changed.
    const reused = await post(browser, `/dashboard/members/${id}/adjust`, { ...fields, points: "70" });
    expect(reused.status).toBe(409);
    expect(reused.html).toContain("This form was already used for another change.");
    expect(reused.html).toContain(`name="points" type="number" value="70"`);
    expect(reused.html).not.toContain(`value="${key}"`);
    expect(await balance(id)).toBe(150);
  });

  it.each([
    ["zero", { points: "0", reason: "Nothing" }, "points", "Must not be zero"],
    ["not a number", { points: "ten", reason: "Typo" }, "points", "Invalid input: expected number, received string"],
    ["not whole", { points: "2.5", reason: "Half" }, "points", "Invalid input: expected int, received number"],
    ["no points", { points: "", reason: "Forgot" }, "points", "Invalid input: expected number, received undefined"],
    ["a reason too short", { points: "10", reason: " x " }, "reason", "Too small: expected string to have &gt;=3 characters"],
  ])("refuses %s beside the field, keeps what was typed, changes nothing", async (_, fields, field, message) => {
    const company = await seedCompany();
    const id = await company.addMember({ firstName: "Ada", email: "ada@example.com", openingPoints: 100 });
    const browser = await signedIn(company.id);
    const key = await formKey(browser, id);
    const res = await post(browser, `/dashboard/members/${id}/adjust`, { ...fields, idempotency_key: key });
    expect(res.status).toBe(400);
    expect(res.html).toContain(`<span class="error" id="a-${field}-error">${message}</span>`);
    expect(res.html).toContain(`name="points" type="number" value="${fields.points}"`);
    expect(res.html).toContain(`name="reason" type="text" value="${fields.reason}"`);
    // Nothing was written under the key: the corrected form sends it again.
    expect(res.html).toContain(`name="idempotency_key" value="${key}"`);
    expect(await balance(id)).toBe(100);
    expect(await ledgerOf(company.id, id)).toHaveLength(1);
  });

  it("refuses taking more than the balance with 409 and the message beside the points, keeping the values", async () => {
    const company = await seedCompany({ pointsLabel: "Beans" });
    const id = await company.addMember({ firstName: "Ada", email: "ada@example.com", openingPoints: 1200 });
    const browser = await signedIn(company.id);
    const key = await formKey(browser, id);
    const res = await post(browser, `/dashboard/members/${id}/adjust`, { points: "-1500", reason: "Too much", idempotency_key: key });
    expect(res.status).toBe(409);
    expect(res.html).toContain(`<span class="error" id="a-points-error">Not enough Beans: this member has 1,200, so 1,500 cannot be taken away.</span>`);
    expect(res.html).toContain(`value="-1500"`);
    expect(res.html).toContain(`value="Too much"`);
    expect(figure(res.html, "balance")).toBe("1,200");
    expect(await balance(id)).toBe(1200);
    expect(await ledgerOf(company.id, id)).toHaveLength(1);
    // The same form, corrected, then goes through once.
    expect((await post(browser, `/dashboard/members/${id}/adjust`, { points: "-200", reason: "Too much", idempotency_key: key })).status).toBe(303);
    expect(await balance(id)).toBe(1000);
  });

  it("refuses an inactive member's adjustment with 409", async () => {
    const company = await seedCompany();
    const id = await company.addMember({ firstName: "Ada", email: "ada@example.com", openingPoints: 100 });
    await admin(await adminKey(company.id), "POST", `/members/${id}/deactivate`);
    const browser = await signedIn(company.id);
    const res = await post(browser, `/dashboard/members/${id}/adjust`, { points: "10", reason: "Welcome back", idempotency_key: "dashboard_x" });
    expect(res.status).toBe(409);
    expect(res.html).toContain("This member is inactive: reactivate them to change their Points.");
    expect(await balance(id)).toBe(100);
    expect(await ledgerOf(company.id, id)).toHaveLength(1);
  });
});
