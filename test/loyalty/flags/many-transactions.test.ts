import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { computeDailyFlags } from "../../../src/loyalty/flags/flags";
import { companies } from "../../../src/storage/schema";
import { db } from "../../harness";
import { adjustAt, at, D, DAY_MS, earnAt, flagSeed, flagsOf, redeemAt, returnAt } from "./flags.fixtures";

// many_transactions: a member with more loyalty transactions (earnings and redemptions) in a UTC day
// than the company's flag_transactions_per_day (default 5, Square's rule), written by the daily pass.

const seed = flagSeed();
const compute = (companyId: string, day: number, throughDay = day) => computeDailyFlags(db, companyId, day, throughDay, at(throughDay + 1, 0, 5));

describe("more loyalty transactions in a UTC day than the company allows", () => {
  it("6 in a day (4 earnings, 2 redemptions) with the default 5: flagged, counted 6", async () => {
    const s = await seed();
    for (let i = 0; i < 4; i++) await earnAt(s, at(D, 9 + i));
    await redeemAt(s, at(D, 14));
    await redeemAt(s, at(D, 15));

    await compute(s.company.id, D);

    expect(await flagsOf(s.company.id)).toEqual([
      { memberId: s.memberId, kind: "many_transactions", day: D, count: 6, detail: "6 loyalty transactions in the day" },
    ]);
  });

  it("exactly 5 is not flagged", async () => {
    const s = await seed();
    for (let i = 0; i < 3; i++) await earnAt(s, at(D, 9 + i));
    await redeemAt(s, at(D, 14));
    await redeemAt(s, at(D, 23, 59));

    await compute(s.company.id, D);

    expect(await flagsOf(s.company.id)).toEqual([]);
  });

  it("adjustments and points given back are not loyalty transactions", async () => {
    const s = await seed();
    for (let i = 0; i < 5; i++) await earnAt(s, at(D, 9 + i));
    await adjustAt(s, at(D, 15));
    await returnAt(s, at(D, 16), await redeemAt(s, at(D - 1)));

    await compute(s.company.id, D);

    expect(await flagsOf(s.company.id)).toEqual([]);
  });

  it("the day is the UTC day: 3 before midnight and 3 after are two days of 3", async () => {
    const s = await seed();
    for (let i = 0; i < 3; i++) await earnAt(s, (D + 1) * DAY_MS - 1 - i);
    for (let i = 0; i < 3; i++) await earnAt(s, (D + 1) * DAY_MS + i);

    await compute(s.company.id, D, D + 1);

    expect(await flagsOf(s.company.id)).toEqual([]);
  });

  it("counts each member's own", async () => {
    const s = await seed();
    const other = await s.company.addMember({ firstName: "Jane", lastName: "Doe", openingPoints: 1000 });
    for (let i = 0; i < 4; i++) await earnAt(s, at(D, 9 + i));
    for (let i = 0; i < 4; i++) await earnAt(s, at(D, 9 + i), { memberId: other });
    await earnAt(s, at(D, 20), { memberId: other });
    await earnAt(s, at(D, 21), { memberId: other });

    await compute(s.company.id, D);

    expect(await flagsOf(s.company.id)).toEqual([
      { memberId: other, kind: "many_transactions", day: D, count: 6, detail: "6 loyalty transactions in the day" },
    ]);
  });

  it("the setting changes it: with 2 a day, 3 are flagged; with 10, 6 are not", async () => {
    const strict = await seed({ transactionsPerDay: 2 });
    for (let i = 0; i < 3; i++) await earnAt(strict, at(D, 9 + i));
    const loose = await seed({ transactionsPerDay: 10 });
    for (let i = 0; i < 6; i++) await earnAt(loose, at(D, 9 + i));

    await compute(strict.company.id, D);
    await compute(loose.company.id, D);

    expect(await flagsOf(strict.company.id)).toEqual([
      { memberId: strict.memberId, kind: "many_transactions", day: D, count: 3, detail: "3 loyalty transactions in the day" },
    ]);
    expect(await flagsOf(loose.company.id)).toEqual([]);
  });

  it("is read when the day is computed: a setting changed before then decides", async () => {
    const s = await seed();
    for (let i = 0; i < 4; i++) await earnAt(s, at(D, 9 + i));
    await db.update(companies).set({ flagTransactionsPerDay: 3 }).where(eq(companies.id, s.company.id));

    await compute(s.company.id, D);

    expect((await flagsOf(s.company.id)).map((f) => [f.kind, f.count])).toEqual([["many_transactions", 4]]);
  });

  it("a rerun of the day rewrites the same row: counted once, never added up", async () => {
    const s = await seed();
    for (let i = 0; i < 7; i++) await earnAt(s, at(D, 9, i));

    await compute(s.company.id, D);
    await compute(s.company.id, D);
    await compute(s.company.id, D - 2, D);

    expect(await flagsOf(s.company.id)).toEqual([
      { memberId: s.memberId, kind: "many_transactions", day: D, count: 7, detail: "7 loyalty transactions in the day" },
    ]);
  });

  it("a day computed once more after a late row (a catch-up) shows the day's count now", async () => {
    const s = await seed();
    for (let i = 0; i < 6; i++) await earnAt(s, at(D, 9, i));
    await compute(s.company.id, D);
    await redeemAt(s, at(D, 22));

    await compute(s.company.id, D);

    expect((await flagsOf(s.company.id)).map((f) => [f.day, f.count, f.detail])).toEqual([[D, 7, "7 loyalty transactions in the day"]]);
  });

  it("several days at once: each day flagged on its own", async () => {
    const s = await seed();
    for (let i = 0; i < 6; i++) await earnAt(s, at(D - 2, 9, i));
    for (let i = 0; i < 2; i++) await earnAt(s, at(D - 1, 9, i));
    for (let i = 0; i < 8; i++) await earnAt(s, at(D, 9, i));

    await compute(s.company.id, D - 2, D);

    expect((await flagsOf(s.company.id)).map((f) => [f.day, f.count])).toEqual([[D - 2, 6], [D, 8]]);
    const [row] = await db.select({ day: companies.flagsComputedDay }).from(companies).where(eq(companies.id, s.company.id));
    expect(row!.day).toBe(D);
  });
});
