import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { redeemMessages } from "../../src/loyalty/cashier-messages";
import { kountaConnections } from "../../src/storage/schema";
import { db } from "../harness";
import { kounta } from "../kounta-harness";
import { balanceOf, redeem, redeemUrl, redemptionsOf, seedRedemption } from "../redeem-harness";
import { callsOf, captureLogs, expireKountaAccessTokens, kountaTokens, storedTokens } from "./token-harness";

// The reviewer's scenario through the Worker as deployed (src/app.ts, the redemption building its own
// Kounta client, which keeps the refresh alive with the runtime's waitUntil): the company's access
// token has expired and Kounta answers the refresh late, having already rotated the refresh token.
// Before, the refresh was cut off at 4 s, its tokens were never stored, and every later redemption
// was told the connection "needs renewing".

async function expiredRedemption() {
  const s = await seedRedemption();
  await db.update(kountaConnections).set({ accessTokenExpiresAt: Date.now() - 1000 }).where(eq(kountaConnections.companyId, s.company.id));
  return { s, before: await storedTokens(s.company.id), kountaBefore: kountaTokens(s.company.id) };
}

/** Waits (up to `ms`) until the company's row holds refreshed tokens and no lease. */
async function untilStored(companyId: string, refreshBefore: string | null, ms: number) {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 100))) {
    const now = await storedTokens(companyId);
    if (now.encrypted && now.refresh !== refreshBefore && now.leaseUntil === null) return now;
  }
  throw new Error(`the refreshed tokens of ${companyId} were not stored within ${ms} ms`);
}

describe("a late token refresh during a redemption", () => {
  it("late_answer of 5 s: the refresh is waited for within the redemption's deadline, applied, and the next one works on the new tokens", async () => {
    const { s, before, kountaBefore } = await expiredRedemption();
    const logs = captureLogs();
    await kounta.fault(s.company.id, "late_answer", { delay_ms: 5_000 });

    // 4 s was the refresh's limit before: now its own (15 s), waited for up to the redemption's deadline.
    expect(await redeem(await redeemUrl(s, "coffee", "9101"))).toEqual({ success: true });

    const live = kountaTokens(s.company.id);
    expect(await storedTokens(s.company.id)).toMatchObject({ access: live.newestAccess, refresh: live.activeRefresh[0], encrypted: true, leaseUntil: null });
    expect(live.activeRefresh).toHaveLength(1);

    expireKountaAccessTokens(s.company.id, kountaBefore.allAccess);
    expect(await redeem(await redeemUrl(s, "coffee", "9102"))).toEqual({ success: true });
    expect(await callsOf(s.company.id)).toEqual(["POST /v1/token 200", "POST 9101/lines.json 201", "POST 9102/lines.json 201"]);
    expect((await redemptionsOf(s)).map((r) => r.status)).toEqual(["applied", "applied"]);
    expect(await balanceOf(s)).toBe(250);
    logs.expectNone([before.access, before.refresh, live.newestAccess, ...live.allRefresh]);
  });

  it("an answer after the redemption's deadline: 'Kounta is busy', points back; the tokens are stored when it comes and the next redemption works", async () => {
    const { s, before, kountaBefore } = await expiredRedemption();
    const logs = captureLogs();
    // Later than the redemption's deadline (about 7.4 s), within the refresh's own limit (15 s).
    await kounta.fault(s.company.id, "late_answer", { delay_ms: 9_000 });

    expect(await redeem(await redeemUrl(s, "coffee", "9201"))).toEqual({ success: false, error: redeemMessages.busy });
    expect(await balanceOf(s)).toBe(1250);
    // Kounta has already spent the old refresh token: only the late answer has the new one.
    expect(kountaTokens(s.company.id).activeRefresh).not.toContain(before.refresh);

    // The answer arrives after the Worker answered the POS: the refresh, kept alive, stores it then.
    const stored = await untilStored(s.company.id, before.refresh, 8_000);
    const live = kountaTokens(s.company.id);
    expect(stored).toMatchObject({ access: live.newestAccess, refresh: live.activeRefresh[0] });
    expect(live.activeRefresh).toHaveLength(1);

    expireKountaAccessTokens(s.company.id, kountaBefore.allAccess);
    expect(await redeem(await redeemUrl(s, "coffee", "9202"))).toEqual({ success: true });
    // One refresh in all (the refresh token never sent twice), then the second redemption's line.
    expect(await callsOf(s.company.id)).toEqual(["POST /v1/token 200", "POST 9202/lines.json 201"]);
    expect((await redemptionsOf(s)).map((r) => [r.status, r.failureReason])).toEqual([
      ["failed", redeemMessages.busy],
      ["applied", null],
    ]);
    expect(await balanceOf(s)).toBe(750);
    expect(logs.messages().filter((m) => m.msg === "kounta tokens refreshed")).toEqual([expect.objectContaining({ company_id: s.company.id, rotated: true })]);
    logs.expectNone([before.access, before.refresh, live.newestAccess, ...live.allRefresh]);
  }, 30_000);
});
