import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { members } from "../../src/storage/schema";
import { db } from "../harness";
import { admin, requestId } from "../admin-harness";
import { adjustAt, checkedSeed, expectStrictlyNewestFirst, ids, redemptionAt, walk } from "./points.fixtures";

const seed = checkedSeed(100_000);

describe("GET /members/{id}/ledger", () => {
  it("lists every kind of row, newest first, in the documented shape", async () => {
    const { company, memberId, key, keyId } = await seed(1000);
    const redeemed = await redemptionAt(company, memberId, "2024-05-02T09:00:00Z", "failed");
    const adjusted = await admin(key, "POST", `/members/${memberId}/adjustments`, { points: 7, reason: "Birthday" });

    const res = await admin(key, "GET", `/members/${memberId}/ledger`);

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: [
        adjusted.body.ledger_entry,
        {
          id: expect.stringMatching(/^led_/),
          member_id: memberId,
          delta: 1000,
          reason: "adjustment",
          site_id: null,
          order_id: null,
          reward_id: null,
          actor: "test",
          note: "Opening balance",
          created_at: expect.any(String),
        },
        {
          id: expect.stringMatching(/^led_/),
          member_id: memberId,
          delta: 300,
          reason: "reversal",
          site_id: company.siteId,
          order_id: expect.any(String),
          reward_id: company.rewardId("pct"),
          actor: null,
          note: "Redemption not applied: Order closed",
          created_at: "2024-05-02T09:00:00.001Z",
        },
        {
          id: expect.stringMatching(/^led_/),
          member_id: memberId,
          delta: -300,
          reason: "redeem",
          site_id: company.siteId,
          order_id: expect.any(String),
          reward_id: company.rewardId("pct"),
          actor: null,
          note: null,
          created_at: "2024-05-02T09:00:00.000Z",
        },
      ],
      next_cursor: null,
    });
    expect(adjusted.body.ledger_entry.actor).toBe(`api_key:${keyId}`);
    expect(redeemed).toMatch(/^rdm_/);
  });

  it("filters by date: a date covers its whole day (UTC), a date-time is exact, both ends inclusive", async () => {
    const { company, memberId, key } = await seed();
    const at = async (t: string) => adjustAt(company.id, memberId, t);
    await at("2024-04-30T23:59:59.999Z");
    const mayFirst = await at("2024-05-01T00:00:00.000Z");
    const midMay = await at("2024-05-15T12:00:00.000Z");
    const mayLast = await at("2024-05-31T23:59:59.999Z");
    await at("2024-06-01T00:00:00.000Z");

    const may = await admin(key, "GET", `/members/${memberId}/ledger?from=2024-05-01&to=2024-05-31`);
    const exact = await admin(key, "GET", `/members/${memberId}/ledger?from=2024-05-15T12:00:00Z&to=2024-05-15T12:00:00Z`);
    const offset = await admin(key, "GET", `/members/${memberId}/ledger?from=2024-05-01T10:00:00%2B10:00&to=2024-05-15`);
    const onlyTo = await admin(key, "GET", `/members/${memberId}/ledger?to=2024-05-01T00:00:00.000Z`);

    expect(ids(may.body)).toEqual([mayLast, midMay, mayFirst]);
    expect(ids(exact.body)).toEqual([midMay]);
    expect(ids(offset.body)).toEqual([midMay, mayFirst]);
    expect(onlyTo.body.data.map((r: { created_at: string }) => r.created_at)).toEqual([
      "2024-05-01T00:00:00.000Z",
      "2024-04-30T23:59:59.999Z",
    ]);
  });

  it("pages with a cursor: rows added during the walk neither repeat nor push others out", async () => {
    const { company, memberId, key } = await seed();
    const t = Date.parse("2024-05-01T10:00:00Z");
    // Several rows share a millisecond, so the id has to break the tie.
    const times = [t, t, t, t + 1, t + 2, t + 2, t + 3, t + 4, t + 4, t + 4, t + 5];
    const seeded = [];
    for (const time of times) seeded.push({ id: await adjustAt(company.id, memberId, time), time });
    const expected = seeded.sort((a, b) => b.time - a.time || (a.id < b.id ? 1 : -1)).map((r) => r.id);
    const addedNow: string[] = [];
    const addedBackdated: string[] = [];

    const walked = await walk(
      (cursor) => admin(key, "GET", `/members/${memberId}/ledger?to=2024-05-02&limit=3${cursor ? `&cursor=${cursor}` : ""}`),
      async () => {
        const res = await admin(key, "POST", `/members/${memberId}/adjustments`, { points: 1, reason: "During the walk" });
        addedNow.push(res.body.ledger_entry.id);
        // A row written with an older time (a slow writer): shown only if the walk has not passed it.
        addedBackdated.push(await adjustAt(company.id, memberId, t + 1));
      },
    );

    const walkedIds = walked.map((r) => r.id);
    expect(walkedIds.filter((id) => expected.includes(id))).toEqual(expected);
    expect(walkedIds.filter((id) => addedNow.includes(id))).toEqual([]);
    expect(walkedIds.every((id) => expected.includes(id) || addedBackdated.includes(id))).toBe(true);
    expectStrictlyNewestFirst(walked);
    expect(addedNow.length).toBeGreaterThanOrEqual(3);
  });

  it("limit bounds the page; a page that ends the list has no cursor", async () => {
    const { company, memberId, key } = await seed();
    for (let i = 0; i < 4; i++) await adjustAt(company.id, memberId, Date.parse("2024-05-01T10:00:00Z") + i);

    const first = await admin(key, "GET", `/members/${memberId}/ledger?limit=3`);
    const second = await admin(key, "GET", `/members/${memberId}/ledger?limit=3&cursor=${first.body.next_cursor}`);
    const whole = await admin(key, "GET", `/members/${memberId}/ledger?limit=5`);
    const byDefault = await admin(key, "GET", `/members/${memberId}/ledger`);

    expect(first.body.data).toHaveLength(3);
    expect(first.body.next_cursor).toEqual(expect.any(String));
    expect(second.body.data).toHaveLength(2);
    expect(second.body.next_cursor).toBeNull();
    expect(ids(whole.body)).toEqual([...ids(first.body), ...ids(second.body)]);
    expect(whole.body.next_cursor).toBeNull();
    expect(byDefault.body).toEqual(whole.body);
  });

  it("an inactive member's ledger is still readable", async () => {
    const { memberId, key } = await seed(10);
    await db.update(members).set({ status: "inactive" }).where(eq(members.id, memberId));
    const res = await admin(key, "GET", `/members/${memberId}/ledger`);
    expect(res.status).toBe(200);
    expect(res.body.data.map((r: { delta: number }) => r.delta)).toEqual([10]);
  });
});

describe("GET /ledger", () => {
  it("lists all the company's members, newest first, paged", async () => {
    const { company, memberId, key } = await seed();
    const other = await company.addMember({ firstName: "Jane", openingPoints: 0 });
    const t = Date.parse("2024-05-01T10:00:00Z");
    const a = await adjustAt(company.id, memberId, t);
    const b = await adjustAt(company.id, other, t + 1);
    const c = await adjustAt(company.id, memberId, t + 2);

    const first = await admin(key, "GET", "/ledger?to=2024-05-01&limit=2");
    const second = await admin(key, "GET", `/ledger?to=2024-05-01&limit=2&cursor=${first.body.next_cursor}`);

    expect(ids(first.body)).toEqual([c, b]);
    expect(first.body.data.map((r: { member_id: string }) => r.member_id)).toEqual([memberId, other]);
    expect(second.body).toEqual({ data: [expect.objectContaining({ id: a })], next_cursor: null });
  });
});

describe("listing queries that are not valid", () => {
  it.each([
    ["limit=0", "limit: Too small: expected number to be >=1"],
    ["limit=201", "limit: Too big: expected number to be <=200"],
    ["limit=ten", "limit: Invalid input: expected number, received NaN"],
    ["limit=2.5", "limit: Invalid input: expected int, received number"],
    ["from=yesterday", "from: Expected an ISO date (2024-05-01) or date-time (2024-05-01T09:30:00Z)"],
    ["to=2024-02-30", "to: Expected an ISO date (2024-05-01) or date-time (2024-05-01T09:30:00Z)"],
    ["to=2024-05-01T10:00:00", "to: Expected an ISO date (2024-05-01) or date-time (2024-05-01T09:30:00Z)"],
    ["from=2024-05-02&to=2024-05-01", "to: Must not be before from"],
    ["cursor=not-a-cursor", "cursor: Not a cursor this API gave out"],
    [`cursor=${"x".repeat(201)}`, "cursor: Too big: expected string to have <=200 characters"],
  ])("?%s: 400, one line", async (qs, message) => {
    const { memberId, key } = await seed();
    for (const path of [`/members/${memberId}/ledger`, "/ledger", `/members/${memberId}/redemptions`, "/redemptions"]) {
      const res = await admin(key, "GET", `${path}?${qs}`);
      expect(res.status, path).toBe(400);
      expect(res.body, path).toEqual({ error: { code: "invalid_request", message, request_id: expect.stringMatching(requestId) } });
    }
  });

  it("an unknown member id is not found", async () => {
    const { key } = await seed();
    for (const list of ["ledger", "redemptions"]) {
      const res = await admin(key, "GET", `/members/mem_doesnotexist0000/${list}`);
      expect(res.status).toBe(404);
      expect(res.body.error.message).toBe("This company has no member with that id");
    }
  });
});
