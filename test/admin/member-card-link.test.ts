import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { LoyaltyCache, refreshMemberCard } from "../../src/loyalty/cache";
import { isValidCardNumber } from "../../src/loyalty/members/card-numbers";
import { memberCardLinks, members } from "../../src/storage/schema";
import { admin, adminKey, requestId } from "../admin-harness";
import { call, db, getJson, ORIGIN, seedCompany } from "../harness";

// POST /admin/v1/members/{id}/card-link makes a new link to the member's card page (the older one
// stops working); DELETE ends it. An unknown member, or another company's, is the API's not_found.

const CARD_URL = new RegExp(`^${ORIGIN.replace(/\./g, "\\.")}/card/[A-Za-z0-9_-]{43}$`);
const opens = async (url: string) => (await call(url)).status;

describe("admin API: a member's card link", () => {
  it("POST answers 201 with the url and when it was made; a second POST replaces the first", async () => {
    const company = await seedCompany();
    const key = await adminKey(company.id);
    const id = await company.addMember({ firstName: "Api", email: "api.link@example.com", cardNumber: "100200300" });

    const before = Date.now();
    const first = await admin(key, "POST", `/members/${id}/card-link`);
    expect(first.status).toBe(201);
    expect(Object.keys(first.body).sort()).toEqual(["created_at", "url"]);
    expect(first.body.url).toMatch(CARD_URL);
    const createdAt = Date.parse(first.body.created_at);
    expect(createdAt).toBeGreaterThanOrEqual(before);
    expect(createdAt).toBeLessThanOrEqual(Date.now());
    const [row] = await db.select().from(memberCardLinks).where(eq(memberCardLinks.memberId, id));
    expect(row).toMatchObject({ companyId: company.id, createdAt, revokedAt: null });
    expect(await opens(first.body.url)).toBe(200);

    const second = await admin(key, "POST", `/members/${id}/card-link`);
    expect(second.status).toBe(201);
    expect(second.body.url).not.toBe(first.body.url);
    expect(await opens(first.body.url)).toBe(404);
    expect(await opens(second.body.url)).toBe(200);
    // A card number the merchant gave is kept as it is.
    const [member] = await db.select().from(members).where(eq(members.id, id));
    expect(member!.cardNumber).toBe("100200300");
  });

  it("gives a member without a card number one with a check digit, and the POS's cached card follows", async () => {
    const company = await seedCompany();
    const key = await adminKey(company.id);
    const id = await company.addMember({ firstName: "Nonumber", email: "nonumber.api@example.com" });
    const cache = new LoyaltyCache(env.CACHE);
    await refreshMemberCard(db, cache, company.id, id);
    expect((await cache.getLookup(company.id, id)).card?.cardNumber).toBeNull();

    expect((await admin(key, "POST", `/members/${id}/card-link`)).status).toBe(201);

    const { body } = await admin(key, "GET", `/members/${id}`);
    expect(body.card_number).toMatch(/^2\d{12}$/);
    expect(isValidCardNumber(body.card_number)).toBe(true);
    expect((await new LoyaltyCache(env.CACHE).getLookup(company.id, id)).card?.cardNumber).toBe(body.card_number);
  });

  it("DELETE ends the live link (revoked: 1), then has nothing to end (revoked: 0)", async () => {
    const company = await seedCompany();
    const key = await adminKey(company.id);
    const id = await company.addMember({ firstName: "Del", email: "del.link@example.com" });
    const { body: link } = await admin(key, "POST", `/members/${id}/card-link`);

    expect(await admin(key, "DELETE", `/members/${id}/card-link`)).toMatchObject({ status: 200, body: { revoked: 1 } });
    expect(await opens(link.url)).toBe(404);
    expect(await admin(key, "DELETE", `/members/${id}/card-link`)).toMatchObject({ status: 200, body: { revoked: 0 } });
  });

  it("an unknown member or another company's: 404 in the error envelope, nothing made or ended", async () => {
    const company = await seedCompany();
    const other = await seedCompany();
    const key = await adminKey(company.id);
    const theirs = await other.addMember({ firstName: "Theirs", email: "theirs.link@example.com" });
    const { body: live } = await admin(await adminKey(other.id), "POST", `/members/${theirs}/card-link`);

    for (const [method, id] of [["POST", "mem_doesnotexist00"], ["POST", theirs], ["DELETE", "mem_doesnotexist00"], ["DELETE", theirs]] as const) {
      const res = await admin(key, method, `/members/${id}/card-link`);
      expect(res.status, `${method} ${id}`).toBe(404);
      expect(res.body).toEqual({ error: { code: "not_found", message: "This company has no member with that id", request_id: expect.stringMatching(requestId) } });
    }
    expect(await db.select().from(memberCardLinks).where(eq(memberCardLinks.memberId, theirs))).toHaveLength(1);
    expect(await opens(live.url)).toBe(200);
  });

  it("needs an API key", async () => {
    const company = await seedCompany();
    const id = await company.addMember({ firstName: "Nokey", email: "nokey.link@example.com" });
    expect((await admin(null, "POST", `/members/${id}/card-link`)).status).toBe(401);
    expect((await admin(null, "DELETE", `/members/${id}/card-link`)).status).toBe(401);
    expect(await db.select().from(memberCardLinks).where(eq(memberCardLinks.memberId, id))).toEqual([]);
  });

  it("is in the OpenAPI document with its answers", async () => {
    const { body: doc } = await getJson(`${ORIGIN}/openapi.json`);
    const item = doc.paths["/admin/v1/members/{id}/card-link"];
    expect(Object.keys(item).sort()).toEqual(["delete", "post"]);
    expect(Object.keys(item.post.responses).sort()).toEqual(["201", "401", "404"]);
    expect(item.post.requestBody).toBeUndefined();
    expect(Object.keys(item.delete.responses).sort()).toEqual(["200", "401", "404"]);
    expect(doc.components.schemas.CardLink.properties.url.example).toMatch(/\/card\/[A-Za-z0-9_-]{43}$/);
    expect(doc.components.schemas.CardLinksRevoked.properties.revoked.example).toBe(1);
  });
});
