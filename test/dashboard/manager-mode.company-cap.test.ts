import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { MANAGER_CODE_TRIES_PER_HOUR, updateLimits } from "../../src/loyalty/limits";
import { companies } from "../../src/storage/schema";
import { post, signedIn } from "../dashboard-harness";
import { db, seedCompany } from "../harness";
import { sessionRow } from "./tiers.fixtures";

// The company's own cap on wrong manager codes (takeManagerTry in src/loyalty/limits.ts): every
// session of the company together may try 20 wrong codes an hour, so signing in again and again
// (five tries a session) cannot guess a short code. A right code costs nothing; a new code set with
// a manager's key opens manager mode again at once.

const CODE = "4829";
const ENTER = "/dashboard/manager";
const SPENT = /Too many wrong manager codes have been tried for this company in the last hour\. Try again in (\d+) minutes, or set a new code with a manager&#39;s API key \(PATCH \/admin\/v1\/limits\)\./;

async function counter(companyId: string) {
  const [row] = await db
    .select({ failures: companies.managerCodeFailures, since: companies.managerCodeFailuresSince })
    .from(companies)
    .where(eq(companies.id, companyId));
  return row!;
}

/** Signs in as many sessions as it takes to try `wrong` wrong codes, five a session. */
async function wrongCodes(companyId: string, wrong: number) {
  for (let done = 0; done < wrong; ) {
    const browser = await signedIn(companyId);
    for (let i = 0; i < 5 && done < wrong; i++, done++) {
      expect((await post(browser, ENTER, { manager_code: String(1000 + done) })).status).toBe(403);
    }
  }
}

describe("wrong manager codes across a company's sessions", () => {
  it(`past ${MANAGER_CODE_TRIES_PER_HOUR} an hour, no session may try, not even with the right code; other companies are not held up`, async () => {
    const company = await seedCompany();
    await updateLimits(db, company.id, { managerCode: CODE });
    const startedAt = Date.now();
    await wrongCodes(company.id, MANAGER_CODE_TRIES_PER_HOUR);
    const { failures, since } = await counter(company.id);
    expect(failures).toBe(MANAGER_CODE_TRIES_PER_HOUR);
    expect(since).toBeGreaterThanOrEqual(startedAt);

    const fresh = await signedIn(company.id);
    const refused = await post(fresh, ENTER, { manager_code: CODE });
    expect(refused.status).toBe(403);
    const minutes = Number(SPENT.exec(refused.html)?.[1]);
    expect(minutes).toBeGreaterThanOrEqual(59);
    expect(minutes).toBeLessThanOrEqual(60);
    // Neither counted against the fresh session nor the company, and no manager mode.
    const row = await sessionRow(fresh.idHash);
    expect({ manager: row.manager, tries: row.managerTries }).toEqual({ manager: false, tries: 0 });
    expect((await counter(company.id)).failures).toBe(MANAGER_CODE_TRIES_PER_HOUR);

    const other = await seedCompany();
    await updateLimits(db, other.id, { managerCode: CODE });
    expect((await post(await signedIn(other.id), ENTER, { manager_code: CODE })).status).toBe(303);
  });

  it("a right code gives its try back; a new code opens manager mode again at once", async () => {
    const company = await seedCompany();
    await updateLimits(db, company.id, { managerCode: CODE });
    await wrongCodes(company.id, 3);
    expect((await post(await signedIn(company.id), ENTER, { manager_code: CODE })).status).toBe(303);
    expect((await counter(company.id)).failures).toBe(3);

    await wrongCodes(company.id, MANAGER_CODE_TRIES_PER_HOUR - 3);
    expect((await post(await signedIn(company.id), ENTER, { manager_code: CODE })).status).toBe(403);
    await updateLimits(db, company.id, { managerCode: "97531" });
    expect(await counter(company.id)).toEqual({ failures: 0, since: null });
    expect((await post(await signedIn(company.id), ENTER, { manager_code: "97531" })).status).toBe(303);
  });

  it("a burst of wrong codes from many sessions at once takes no more than the hour's tries", async () => {
    const company = await seedCompany();
    await updateLimits(db, company.id, { managerCode: CODE });
    const sessions = await Promise.all(Array.from({ length: 6 }, () => signedIn(company.id)));
    const posts = sessions.flatMap((browser) => Array.from({ length: 5 }, (_, i) => post(browser, ENTER, { manager_code: `55${i}0` })));
    expect((await Promise.all(posts)).map((r) => r.status)).toEqual(Array(30).fill(403));
    expect((await counter(company.id)).failures).toBe(MANAGER_CODE_TRIES_PER_HOUR);
  });

  it("an hour after the first wrong code, the count starts again", async () => {
    const company = await seedCompany();
    await updateLimits(db, company.id, { managerCode: CODE });
    await db.update(companies).set({ managerCodeFailures: MANAGER_CODE_TRIES_PER_HOUR, managerCodeFailuresSince: Date.now() - 61 * 60_000 }).where(eq(companies.id, company.id));
    expect((await post(await signedIn(company.id), ENTER, { manager_code: "0000" })).status).toBe(403);
    expect((await counter(company.id)).failures).toBe(1);
    expect((await post(await signedIn(company.id), ENTER, { manager_code: CODE })).status).toBe(303);
  });
});
