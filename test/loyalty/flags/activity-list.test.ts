import { describe, expect, it } from "vitest";
import { computeDailyFlags, recordFlag } from "../../../src/loyalty/flags/flags";
import type { FlagKind } from "../../../src/storage/schema";
import { db } from "../../harness";
import { admin, adminKey, requestId } from "../../admin-harness";
import { expectStrictlyNewestFirst, walk } from "../../admin/points.fixtures";
import { at, D, earnAt, flagSeed } from "./flags.fixtures";

// GET /admin/v1/activity/flags: the company's flags, newest first, with the member's name and the
// UTC day; narrowed by kind and member; paged by cursor; never another company's.

const seed = flagSeed();

async function flagged(companyId: string, memberId: string, kind: FlagKind, time: number, detail = `${kind} detail`) {
  await recordFlag(db, { companyId, memberId, kind, detail, now: time });
}

/** A company with four flags of three members: the order newest first is [large, refused 2, transactions, refused 1]. */
async function seedFlags() {
  const s = await seed();
  const jane = await s.company.addMember({ firstName: "Jane", lastName: "Doe", openingPoints: 0 });
  const cher = await s.company.addMember({ firstName: "Cher", openingPoints: 0 });
  await flagged(s.company.id, s.memberId, "limit_refused", at(D - 3, 10), "Limit reached: at most 1 reward per order.");
  for (let i = 0; i < 6; i++) await earnAt(s, at(D - 2, 9, i), { memberId: jane });
  await computeDailyFlags(db, s.company.id, D - 2, D - 2, at(D - 1, 0, 5));
  await flagged(s.company.id, cher, "limit_refused", at(D - 1, 15), "Limit reached: at most 1 reward a day per member. Try again tomorrow.");
  await flagged(s.company.id, s.memberId, "large_adjustment", at(D, 11), "+900 points by api_key:key_x: Catering");
  return { ...s, jane, cher, key: await adminKey(s.company.id) };
}

const list = (key: string, query = "") => admin(key, "GET", `/activity/flags${query}`);
const iso = (ms: number) => new Date(ms).toISOString();
const dayOf = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);

describe("GET /activity/flags", () => {
  it("lists the company's flags newest first, with the member's name and the UTC day", async () => {
    const s = await seedFlags();

    const res = await list(s.key);

    expect(res.status).toBe(200);
    const id = expect.stringMatching(/^flg_[0-9a-f]{20}$/);
    expect(res.body).toEqual({
      data: [
        {
          id,
          member_id: s.memberId,
          member_name: "John Smith",
          kind: "large_adjustment",
          day: dayOf(D),
          count: 1,
          detail: "+900 points by api_key:key_x: Catering",
          created_at: iso(at(D, 11)),
          updated_at: iso(at(D, 11)),
        },
        {
          id,
          member_id: s.cher,
          member_name: "Cher",
          kind: "limit_refused",
          day: dayOf(D - 1),
          count: 1,
          detail: "Limit reached: at most 1 reward a day per member. Try again tomorrow.",
          created_at: iso(at(D - 1, 15)),
          updated_at: iso(at(D - 1, 15)),
        },
        {
          id,
          member_id: s.jane,
          member_name: "Jane Doe",
          kind: "many_transactions",
          day: dayOf(D - 2),
          count: 6,
          detail: "6 loyalty transactions in the day",
          created_at: iso(at(D - 1, 0, 5)),
          updated_at: iso(at(D - 1, 0, 5)),
        },
        {
          id,
          member_id: s.memberId,
          member_name: "John Smith",
          kind: "limit_refused",
          day: dayOf(D - 3),
          count: 1,
          detail: "Limit reached: at most 1 reward per order.",
          created_at: iso(at(D - 3, 10)),
          updated_at: iso(at(D - 3, 10)),
        },
      ],
      next_cursor: null,
    });
    expect(dayOf(D)).toBe("2026-10-15");
  });

  it("a flag counted again that day keeps its place, shows the count and the latest detail and time", async () => {
    const s = await seedFlags();
    await flagged(s.company.id, s.cher, "limit_refused", at(D - 1, 18), "Limit reached: at most 2 rewards per order.");

    const rows = (await list(s.key, "?kind=limit_refused")).body.data;

    expect(rows.map((r: { member_name: string; count: number; detail: string; created_at: string; updated_at: string }) => [r.member_name, r.count, r.detail, r.created_at, r.updated_at])).toEqual([
      ["Cher", 2, "Limit reached: at most 2 rewards per order.", iso(at(D - 1, 15)), iso(at(D - 1, 18))],
      ["John Smith", 1, "Limit reached: at most 1 reward per order.", iso(at(D - 3, 10)), iso(at(D - 3, 10))],
    ]);
  });

  it("kind= and member_id= narrow the list, together too", async () => {
    const s = await seedFlags();
    const kinds = async (query: string) => (await list(s.key, query)).body.data.map((r: { kind: string; member_name: string }) => `${r.kind}:${r.member_name}`);

    expect(await kinds("?kind=many_transactions")).toEqual(["many_transactions:Jane Doe"]);
    expect(await kinds("?kind=reversed_orders")).toEqual([]);
    expect(await kinds(`?member_id=${s.memberId}`)).toEqual(["large_adjustment:John Smith", "limit_refused:John Smith"]);
    expect(await kinds(`?member_id=${s.memberId}&kind=limit_refused`)).toEqual(["limit_refused:John Smith"]);
    expect(await kinds(`?member_id=${s.cher}&kind=large_adjustment`)).toEqual([]);
  });

  it("from= and to= bound the day the activity happened, not the day the flag was made", async () => {
    const s = await seedFlags();
    const res = await list(s.key, `?from=${dayOf(D - 2)}&to=${dayOf(D - 1)}`);
    expect(res.body.data.map((r: { kind: string }) => r.kind)).toEqual(["limit_refused", "many_transactions"]);
    // The daily job made day D-2's flag on day D-1: it is day D-2's.
    const one = await list(s.key, `?from=${dayOf(D - 2)}&to=${dayOf(D - 2)}`);
    expect(one.body.data.map((r: { kind: string; day: string }) => `${r.kind}:${r.day}`)).toEqual([`many_transactions:${dayOf(D - 2)}`]);
    const next = await list(s.key, `?from=${dayOf(D - 1)}&to=${dayOf(D - 1)}`);
    expect(next.body.data.map((r: { kind: string }) => r.kind)).toEqual(["limit_refused"]);
  });

  it("pages by cursor: every flag once, newest first", async () => {
    const s = await seedFlags();
    for (let i = 0; i < 3; i++) await flagged(s.company.id, s.jane, "large_adjustment", at(D - 10 - i, 9));

    const rows = await walk((cursor) => list(s.key, `?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`));

    expect(rows).toHaveLength(7);
    expect(new Set(rows.map((r) => r.id)).size).toBe(7);
    expectStrictlyNewestFirst(rows);
    const first = await list(s.key, "?limit=2");
    expect(first.body.data).toHaveLength(2);
    expect(first.body.next_cursor).toEqual(expect.any(String));
  });

  it("pages flags made at the same moment (one daily pass) one at a time, none lost or repeated", async () => {
    const s = await seed();
    const memberIds = [s.memberId];
    for (const firstName of ["Ann", "Bo", "Cy"]) memberIds.push(await s.company.addMember({ firstName, openingPoints: 0 }));
    for (const memberId of memberIds) for (let i = 0; i < 6; i++) await earnAt(s, at(D, 9, i), { memberId });
    await computeDailyFlags(db, s.company.id, D, D, at(D + 1, 0, 5));
    const key = await adminKey(s.company.id);

    const rows = await walk((cursor) => list(key, `?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`));

    expect(rows.map((r) => r.created_at)).toEqual(Array.from({ length: 4 }, () => iso(at(D + 1, 0, 5))));
    expect(rows.map((r) => (r as unknown as { member_id: string }).member_id).sort()).toEqual([...memberIds].sort());
    expectStrictlyNewestFirst(rows);
  });

  it("never another company's: not in the list, and its member's id finds nothing", async () => {
    const mine = await seedFlags();
    const theirs = await seedFlags();

    const all = (await list(mine.key)).body.data.map((r: { member_id: string }) => r.member_id);
    expect(all).toHaveLength(4);
    for (const id of [theirs.memberId, theirs.jane, theirs.cher]) expect(all).not.toContain(id);
    expect((await list(mine.key, `?member_id=${theirs.memberId}`)).body).toEqual({ data: [], next_cursor: null });
  });

  it.each([
    ["an unknown kind", "?kind=fraud", 'kind: Invalid option: expected one of "many_transactions"|"limit_refused"|"large_adjustment"|"reversed_orders"'],
    ["a cursor we never gave out", "?cursor=abc", "cursor: Not a cursor this API gave out"],
    ["a limit of 0", "?limit=0", "limit: Too small: expected number to be >=1"],
  ])("%s: 400", async (_name, query, message) => {
    const s = await seed();
    const res = await list(await adminKey(s.company.id), query);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: "invalid_request", message, request_id: expect.stringMatching(requestId) } });
  });

  it("without a key: 401", async () => {
    expect((await list(null as unknown as string)).status).toBe(401);
  });
});
