import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { members } from "../../src/storage/schema";
import { call, db, expectBalanceMatchesLedger, getJson, kountaUrl, ORIGIN, seedCompany } from "../harness";
import { admin, adminKey } from "../admin-harness";

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 1, 2, 3]);
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46]);
const iso = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

async function setup() {
  const company = await seedCompany({ rewards: [{ id: "coffee", title: "Free coffee", pointsRequired: 500 }] });
  return { company, key: await adminKey(company.id) };
}

function putIcon(key: string, memberId: string, body: Uint8Array, type: string) {
  return getJson(`${ORIGIN}/admin/v1/members/${memberId}/icon`, {
    method: "PUT",
    headers: { authorization: `Bearer ${key}`, "content-type": type },
    body,
  });
}

async function posSearch(companyId: string, keyword: string) {
  const { status, body } = await getJson(kountaUrl("customer-search", { keyword, company_id: companyId }));
  expect(status).toBe(200);
  return body.members as Record<string, { first_name: string; last_name?: string; icon_url?: string }>;
}

const lookup = (companyId: string, memberId: string) => getJson(kountaUrl("reward-lookup", { company_id: companyId, reference_id: memberId, order_id: "111" }));

describe("admin members: create and read", () => {
  it("enrols a member with 0 points, the email lower-cased, and reads it back", async () => {
    const { company, key } = await setup();

    const created = await admin(key, "POST", "/members", {
      first_name: " John ",
      last_name: "Smith",
      email: "John.Smith@Example.com",
      phone: "0412 345 678",
      card_number: "100200300",
    });

    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^mem_[0-9a-z]{16}$/),
      first_name: "John",
      last_name: "Smith",
      email: "john.smith@example.com",
      phone: "0412 345 678",
      card_number: "100200300",
      points: 0,
      status: "active",
      icon_url: null,
      email_consent: false,
      email_consent_at: null,
      created_at: iso,
      updated_at: created.body.created_at,
    });
    const read = await admin(key, "GET", `/members/${created.body.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
    expect(Object.keys(await posSearch(company.id, "0412345678"))).toEqual([created.body.id]);
    await expectBalanceMatchesLedger(company.id);
  });

  it("enrols with only a first name and one of email, phone or card", async () => {
    const { key } = await setup();
    for (const contact of [{ email: "a@example.com" }, { phone: "+61 400 000 001" }, { card_number: "C1" }]) {
      const res = await admin(key, "POST", "/members", { first_name: "Ann", ...contact });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ first_name: "Ann", last_name: null, points: 0, ...contact });
    }
  });
});

describe("admin members: changes the POS sees", () => {
  it("a changed name is shown by the next reward lookup (warm card) and found by POS search", async () => {
    const { company, key } = await setup();
    const { body: member } = await admin(key, "POST", "/members", { first_name: "John", last_name: "Smith", email: "js@example.com" });
    // Warm the KV card first, so the lookup below would show the old name if the change did not reach it.
    expect((await lookup(company.id, member.id)).body.member.first_name).toBe("John");

    const patched = await admin(key, "PATCH", `/members/${member.id}`, { first_name: "Jonathan", phone: "0412 999 888" });

    expect(patched.status).toBe(200);
    expect(patched.body).toEqual({ ...member, first_name: "Jonathan", phone: "0412 999 888", updated_at: iso });
    const after = await lookup(company.id, member.id);
    expect(after.status).toBe(200);
    expect(after.body.member).toMatchObject({ id: member.id, first_name: "Jonathan", last_name: "Smith" });
    expect(Object.keys(await posSearch(company.id, "Jonathan"))).toEqual([member.id]);
    expect(Object.keys(await posSearch(company.id, "0412 999 888"))).toEqual([member.id]);
    expect(await posSearch(company.id, "John")).toEqual({});
  });

  it("null clears an optional field", async () => {
    const { key } = await setup();
    const { body: member } = await admin(key, "POST", "/members", { first_name: "Ann", last_name: "Lee", email: "ann@example.com", card_number: "77" });
    const res = await admin(key, "PATCH", `/members/${member.id}`, { last_name: null, card_number: null });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ last_name: null, card_number: null, email: "ann@example.com" });
  });

  it("a deactivated member is found neither by POS search nor by lookup, and stays listed as inactive", async () => {
    const { company, key } = await setup();
    const { body: member } = await admin(key, "POST", "/members", { first_name: "Gone", email: "gone@example.com" });
    expect((await lookup(company.id, member.id)).status).toBe(200);

    const res = await admin(key, "POST", `/members/${member.id}/deactivate`);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...member, status: "inactive", updated_at: iso });
    expect(await posSearch(company.id, "Gone")).toEqual({});
    expect(await posSearch(company.id, "gone@example.com")).toEqual({});
    const refused = await lookup(company.id, member.id);
    expect(refused.status).toBe(404);
    const listed = await admin(key, "GET", "/members");
    expect(listed.body.data).toEqual([res.body]);
    expect((await admin(key, "POST", `/members/${member.id}/deactivate`)).body).toEqual(res.body);
  });

  it("a reactivated member is found and served again, with the points they had", async () => {
    const { company, key } = await setup();
    const { body: member } = await admin(key, "POST", "/members", { first_name: "Back", last_name: "Again", phone: "0412 000 111" });
    await admin(key, "POST", `/members/${member.id}/adjustments`, { points: 600, reason: "Welcome gift" });
    // Warm the POS card, then take the member out.
    expect((await lookup(company.id, member.id)).body.member.current_points).toBe("600");
    await admin(key, "POST", `/members/${member.id}/deactivate`);
    expect((await lookup(company.id, member.id)).status).toBe(404);

    const res = await admin(key, "POST", `/members/${member.id}/reactivate`);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...member, points: 600, status: "active", updated_at: iso });
    expect(Object.keys(await posSearch(company.id, "Back Again"))).toEqual([member.id]);
    expect(Object.keys(await posSearch(company.id, "+61 412 000 111"))).toEqual([member.id]);
    const served = await lookup(company.id, member.id);
    expect(served.status).toBe(200);
    expect(served.body.member).toMatchObject({ id: member.id, first_name: "Back", current_points: "600" });
    expect(served.body.rewards.map((r: { id: string }) => r.id)).toEqual([company.rewardId("coffee")]);
    // Again: nothing changes.
    expect((await admin(key, "POST", `/members/${member.id}/reactivate`)).body).toEqual(res.body);
    await expectBalanceMatchesLedger(company.id);
  });

  it("a change to an inactive member keeps them out of search until they are reactivated", async () => {
    const { company, key } = await setup();
    const { body: member } = await admin(key, "POST", "/members", { first_name: "Quiet", email: "quiet@example.com" });
    await admin(key, "POST", `/members/${member.id}/deactivate`);

    expect((await admin(key, "PATCH", `/members/${member.id}`, { first_name: "Renamed" })).body).toMatchObject({ first_name: "Renamed", status: "inactive" });
    expect(await posSearch(company.id, "Renamed")).toEqual({});
    const [row] = await db.select({ terms: members.searchTerms }).from(members).where(eq(members.id, member.id));
    expect(row!.terms).toBe("");

    await admin(key, "POST", `/members/${member.id}/reactivate`);
    expect(Object.keys(await posSearch(company.id, "Renamed"))).toEqual([member.id]);
  });
});

describe("admin members: list and search", () => {
  it("pages by cursor without skipping or repeating while members are added between pages", async () => {
    const { company, key } = await setup();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await company.addMember({ firstName: `Early${i}`, email: `early${i}@example.com` })));

    const seen: string[] = [];
    let cursor: string | null = null;
    let added = 0;
    do {
      const res = await admin(key, "GET", `/members?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.data.map((m: { id: string }) => m.id));
      cursor = res.body.next_cursor;
      // Someone enrols members while the client pages: they land after what was already read.
      if (added < 3) {
        ids.push(await company.addMember({ firstName: `Late${added}`, email: `late${added}@example.com` }));
        added++;
      }
    } while (cursor);

    expect(seen).toEqual(ids);
  });

  it("answers the last page with next_cursor null, and an empty company with no data", async () => {
    const { company, key } = await setup();
    expect((await admin(key, "GET", "/members")).body).toEqual({ data: [], next_cursor: null });
    await company.addMember({ firstName: "One", email: "one@example.com" });
    const res = await admin(key, "GET", "/members?limit=1");
    expect(res.body.data).toHaveLength(1);
    expect(res.body.next_cursor).toBeNull();
  });

  it("q searches as the POS does, best match first, without a cursor", async () => {
    const { company, key } = await setup();
    const smith = await company.addMember({ firstName: "John", lastName: "Smith", phone: "0412 345 678" });
    const smithers = await company.addMember({ firstName: "Anna", lastName: "Smithers", email: "anna@example.com" });
    await company.addMember({ firstName: "Zed", email: "zed@example.com" });

    const byName = await admin(key, "GET", "/members?q=smith");
    expect(byName.status).toBe(200);
    expect(byName.body.data.map((m: { id: string }) => m.id)).toEqual([smith, smithers]);
    expect(byName.body.next_cursor).toBeNull();
    const byPhone = await admin(key, "GET", `/members?q=${encodeURIComponent("+61 412 345 678")}`);
    expect(byPhone.body.data).toEqual([
      {
        id: smith,
        first_name: "John",
        last_name: "Smith",
        email: null,
        phone: "0412 345 678",
        card_number: null,
        points: 0,
        status: "active",
        icon_url: null,
        email_consent: false,
        email_consent_at: null,
        created_at: iso,
        updated_at: iso,
      },
    ]);
  });
});

describe("admin members: icons", () => {
  it("an uploaded PNG is served at icon_url and shown by the POS; a new upload gets a new URL", async () => {
    const { company, key } = await setup();
    const { body: member } = await admin(key, "POST", "/members", { first_name: "Pic", email: "pic@example.com" });
    await lookup(company.id, member.id);

    const res = await putIcon(key, member.id, PNG, "image/png");

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...member, icon_url: expect.stringMatching(new RegExp(`^${ORIGIN}/icons/${company.id}/${member.id}\\?v=\\d+$`)), updated_at: iso });
    const served = await call(res.body.icon_url);
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(served.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(PNG);
    expect((await lookup(company.id, member.id)).body.member.icon_url).toBe(res.body.icon_url);
    expect((await posSearch(company.id, "Pic"))[member.id]!.icon_url).toBe(res.body.icon_url);

    const again = await putIcon(key, member.id, JPEG, "image/jpeg");
    expect(again.status).toBe(200);
    expect(again.body.icon_url).not.toBe(res.body.icon_url);
    const jpeg = await call(again.body.icon_url);
    expect(jpeg.headers.get("content-type")).toBe("image/jpeg");
    expect(jpeg.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    // The first URL now finds the second image: served, but not to be kept.
    expect((await call(res.body.icon_url)).headers.get("cache-control")).toBe("public, max-age=60");
    expect(new Uint8Array(await jpeg.arrayBuffer())).toEqual(JPEG);
  });

  it("a removed icon is no longer named nor served, and a later upload never reuses its URL", async () => {
    const { company, key } = await setup();
    const { body: member } = await admin(key, "POST", "/members", { first_name: "Pic", email: "pic@example.com" });
    const first = await putIcon(key, member.id, PNG, "image/png");
    await lookup(company.id, member.id);

    const removed = await admin(key, "DELETE", `/members/${member.id}/icon`);

    expect(removed.status).toBe(200);
    expect(removed.body).toEqual({ ...member, icon_url: null, updated_at: iso });
    expect((await call(first.body.icon_url)).status).toBe(404);
    expect((await lookup(company.id, member.id)).body.member.icon_url).toBeUndefined();
    const second = await putIcon(key, member.id, PNG, "image/png");
    expect(second.body.icon_url).not.toBe(first.body.icon_url);
  });
});
