import { env } from "cloudflare:test";
import { count, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { computeFlags, computeFlagsJob } from "../../src/jobs/compute-flags";
import { scheduledJobs } from "../../src/jobs/scheduled";
import { Logger } from "../../src/lib/logger";
import { recordFlag } from "../../src/loyalty/flags/flags";
import { companies } from "../../src/storage/schema";
import { db, seedCompany } from "../harness";
import { at, DAY_MS, earnAt, flagSeed, flagsOf } from "../loyalty/flags/flags.fixtures";

// The daily suspicious-activity pass: once a UTC day is over, each company's flags for it, once per
// company per day (companies.flags_computed_day), catching up days it missed (at most the last 7).
// This file has storage of its own, shared by its tests: each test runs the job on days of its own,
// later than the test before's, and looks at its own company.

const seed = flagSeed();
const quiet = new Logger({ test: "compute-flags" });

/** Six earnings on `day`: one more than the default allows. */
async function busyDay(s: Awaited<ReturnType<typeof seed>>, day: number) {
  for (let i = 0; i < 6; i++) await earnAt(s, at(day, 10, i));
}

async function computedDay(companyId: string) {
  const [row] = await db.select({ day: companies.flagsComputedDay }).from(companies).where(eq(companies.id, companyId));
  return row!.day;
}

const setComputedDay = (companyId: string, day: number | null) =>
  db.update(companies).set({ flagsComputedDay: day }).where(eq(companies.id, companyId));

const flaggedDays = async (companyId: string) => (await flagsOf(companyId)).map((f) => [f.kind, f.day, f.count]);

// Each test's "today" (a UTC day number), far enough apart that no test's days overlap another's.
const T = Math.floor(Date.UTC(2026, 0, 10) / DAY_MS);

describe("the daily flags job", () => {
  it("a company never computed: the last 7 days to yesterday, not today, not the 8th day back", async () => {
    const s = await seed();
    const today = T;
    for (const day of [today - 8, today - 7, today - 1, today]) await busyDay(s, day);

    await computeFlags(env, quiet, at(today, 0, 30));

    expect(await flaggedDays(s.company.id)).toEqual([
      ["many_transactions", today - 7, 6],
      ["many_transactions", today - 1, 6],
    ]);
    expect(await computedDay(s.company.id)).toBe(today - 1);
  });

  it("does yesterday once per day: a second run that day does nothing, the next day only the day after", async () => {
    const s = await seed();
    const today = T + 30;
    await busyDay(s, today - 1);
    expect(await computeFlags(env, quiet, at(today, 0, 30))).toBeGreaterThanOrEqual(1);
    expect(await flaggedDays(s.company.id)).toEqual([["many_transactions", today - 1, 6]]);

    // Rows of yesterday written late, and the job run again that day: nothing is due.
    await earnAt(s, at(today - 1, 23, 59));
    await busyDay(s, today);
    expect(await computeFlags(env, quiet, at(today, 23))).toBe(0);
    expect(await flaggedDays(s.company.id)).toEqual([["many_transactions", today - 1, 6]]);

    await computeFlags(env, quiet, at(today + 1, 0, 30));
    expect(await flaggedDays(s.company.id)).toEqual([
      ["many_transactions", today - 1, 6],
      ["many_transactions", today, 6],
    ]);
    expect(await computedDay(s.company.id)).toBe(today);
  });

  it("catches up the days missed since the last one computed", async () => {
    const s = await seed();
    const today = T + 60;
    for (const day of [today - 4, today - 3, today - 2]) await busyDay(s, day);
    await setComputedDay(s.company.id, today - 4);

    await computeFlags(env, quiet, at(today, 1));

    // Day today - 4 was done before (nothing was then): it is not done again.
    expect(await flaggedDays(s.company.id)).toEqual([
      ["many_transactions", today - 3, 6],
      ["many_transactions", today - 2, 6],
    ]);
    expect(await computedDay(s.company.id)).toBe(today - 1);
  });

  it("after a long gap, at most the last 7 days", async () => {
    const s = await seed();
    const today = T + 90;
    for (const day of [today - 9, today - 8, today - 7]) await busyDay(s, day);
    await setComputedDay(s.company.id, today - 20);

    await computeFlags(env, quiet, at(today, 1));

    expect(await flaggedDays(s.company.id)).toEqual([["many_transactions", today - 7, 6]]);
    expect(await computedDay(s.company.id)).toBe(today - 1);
  });

  it("a rerun is idempotent: the same rows and counts, and the flags written as they happened are left alone", async () => {
    const s = await seed();
    const today = T + 120;
    await busyDay(s, today - 1);
    for (let i = 0; i < 2; i++) {
      await recordFlag(db, { companyId: s.company.id, memberId: s.memberId, kind: "limit_refused", detail: "Limit reached", now: at(today - 1, 20, i) });
    }

    await computeFlags(env, quiet, at(today, 1));
    const first = await flagsOf(s.company.id);
    await setComputedDay(s.company.id, null);
    await computeFlags(env, quiet, at(today, 2));
    await setComputedDay(s.company.id, today - 3);
    await computeFlags(env, quiet, at(today, 3));

    expect(await flagsOf(s.company.id)).toEqual(first);
    expect(first.map((f) => [f.kind, f.day, f.count])).toEqual([
      ["limit_refused", today - 1, 2],
      ["many_transactions", today - 1, 6],
    ]);
  });

  it("at most 50 companies a run: the rest on the next run", async () => {
    const today = T + 150;
    const [before] = await db.select({ n: count() }).from(companies);
    for (let i = before!.n; i < 55; i++) await seedCompany({ connected: false, kountaTokens: false });
    const [all] = await db.select({ n: count() }).from(companies);

    expect(await computeFlags(env, quiet, at(today, 1))).toBe(50);
    expect(await computeFlags(env, quiet, at(today, 2))).toBe(all!.n - 50);
    expect(await computeFlags(env, quiet, at(today, 3))).toBe(0);
    const [left] = await db.select({ n: count() }).from(companies).where(eq(companies.flagsComputedDay, today - 1));
    expect(left!.n).toBe(all!.n);
  });

  it("runs as a scheduled job, on the scheduled time", async () => {
    const s = await seed();
    const today = T + 180;
    await busyDay(s, today - 1);
    expect(scheduledJobs).toContain(computeFlagsJob);

    await computeFlagsJob.run(env, quiet, at(today, 0, 5));

    expect(await flaggedDays(s.company.id)).toEqual([["many_transactions", today - 1, 6]]);
  });
});
