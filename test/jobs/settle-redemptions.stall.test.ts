import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { SETTLE_AFTER_MS, settlePendingRedemptions } from "../../src/jobs/settle-redemptions";
import { Logger } from "../../src/lib/logger";
import { SETTLE_RETRY_FIRST_MS } from "../../src/loyalty/redemption/redemption";
import { kountaConnections } from "../../src/storage/schema";
import { db } from "../harness";
import { kounta } from "../kounta-harness";
import { balanceOf, redemptionsOf, reserveOnly, seedRedemption } from "../redeem-harness";

// The settling job takes a bounded batch of pending redemptions each run. Rows it cannot settle
// (a disconnected company, a company whose refresh token Kounta no longer accepts) must never fill
// every batch and hold up the other companies' redemptions for good. Its own file: the batch is
// global, so no other test's pending rows may share this D1.

type Seeded = Awaited<ReturnType<typeof seedRedemption>>;

const quiet = new Logger({ test: "settle-stall" });
const LIMIT = 3;
const start = Date.now();
const T = start + SETTLE_AFTER_MS + 60_000;

/** Pending coffees left by crashes, `at` ms apart from `from` (older first). */
async function leftPending(s: Seeded, count: number, from: number) {
  for (let i = 0; i < count; i++) {
    await reserveOnly(s, "coffee", String(9_000 + i), { now: from + i });
  }
}

const connection = (s: Seeded, set: Partial<typeof kountaConnections.$inferInsert>) =>
  db.update(kountaConnections).set(set).where(eq(kountaConnections.companyId, s.company.id));

const statusesOf = async (s: Seeded) => (await redemptionsOf(s)).map((r) => [r.status, r.settleAttempts, r.nextSettleAt]);

describe("settling never stalls on redemptions it cannot settle", () => {
  it("skips a disconnected company's redemptions: they wait, untried, until it reconnects", async () => {
    const gone = await seedRedemption(5000);
    await leftPending(gone, LIMIT, start - 20_000);
    await connection(gone, { status: "disconnected" });
    const other = await seedRedemption();
    await leftPending(other, 1, start - 10_000);

    await settlePendingRedemptions(env, quiet, { now: T, limit: LIMIT });

    expect(await statusesOf(other)).toEqual([["failed", 0, 0]]);
    expect(await balanceOf(other)).toBe(1250);
    expect(await statusesOf(gone)).toEqual(Array(LIMIT).fill(["pending", 0, 0]));
    expect(await kounta.calls(gone.company.id)).toEqual([]);
    expect(await balanceOf(gone)).toBe(5000 - LIMIT * 500);

    // Reconnected: read and settled like any other.
    await connection(gone, { status: "connected" });
    await settlePendingRedemptions(env, quiet, { now: T, limit: LIMIT });
    expect(await statusesOf(gone)).toEqual(Array(LIMIT).fill(["failed", 0, 0]));
    expect(await balanceOf(gone)).toBe(5000);
  });

  it("one redemption's D1 failure (claiming its order) does not stop the run: the others are settled, it is tried again later", async () => {
    const failing = await seedRedemption();
    await leftPending(failing, 1, start - 20_000);
    const other = await seedRedemption();
    await leftPending(other, 1, start - 10_000);
    // D1 fails (as a lost connection would) on claiming the older redemption's order: the first in the batch.
    await env.DB.prepare(
      `CREATE TRIGGER fail_claim BEFORE INSERT ON order_claims WHEN NEW.company_id = '${failing.company.id}'
       BEGIN SELECT RAISE(ABORT, 'D1_ERROR: simulated failure'); END`,
    ).run();
    try {
      expect(await settlePendingRedemptions(env, quiet, { now: T, limit: LIMIT })).toEqual({ applied: 0, released: 1, unresolved: 1 });
    } finally {
      await env.DB.prepare("DROP TRIGGER fail_claim").run();
    }
    expect(await statusesOf(other)).toEqual([["failed", 0, 0]]);
    expect(await balanceOf(other)).toBe(1250);
    // Never read from Kounta, postponed like any redemption that could not be settled.
    expect(await kounta.calls(failing.company.id)).toEqual([]);
    expect(await statusesOf(failing)).toEqual([["pending", 1, T + SETTLE_RETRY_FIRST_MS]]);
    expect(await balanceOf(failing)).toBe(750);

    // Due again, D1 working: settled.
    expect(await settlePendingRedemptions(env, quiet, { now: T + SETTLE_RETRY_FIRST_MS, limit: LIMIT })).toEqual({ applied: 0, released: 1, unresolved: 0 });
    expect(await statusesOf(failing)).toEqual([["failed", 1, T + SETTLE_RETRY_FIRST_MS]]);
    expect(await balanceOf(failing)).toBe(1250);
  });

  it("backs off from redemptions Kounta cannot tell about, so the next ones get their turn", async () => {
    const revoked = await seedRedemption(5000);
    await leftPending(revoked, LIMIT, start - 20_000);
    await connection(revoked, { refreshToken: "revoked-refresh-token", accessTokenExpiresAt: start - 1000 });
    const other = await seedRedemption();
    await leftPending(other, 1, start - 10_000);

    // First run: the oldest fill the batch and cannot be settled (Kounta refuses the refresh token).
    expect(await settlePendingRedemptions(env, quiet, { now: T, limit: LIMIT })).toEqual({ applied: 0, released: 0, unresolved: LIMIT });
    expect(await statusesOf(revoked)).toEqual(Array(LIMIT).fill(["pending", 1, T + SETTLE_RETRY_FIRST_MS]));
    expect(await statusesOf(other)).toEqual([["pending", 0, 0]]);

    // The next run, before they are due again: the other company's turn.
    expect(await settlePendingRedemptions(env, quiet, { now: T + 60_000, limit: LIMIT })).toEqual({ applied: 0, released: 1, unresolved: 0 });
    expect(await statusesOf(other)).toEqual([["failed", 0, 0]]);
    expect(await balanceOf(other)).toBe(1250);

    // Due again: tried, and put off twice as long.
    const due = T + SETTLE_RETRY_FIRST_MS;
    expect(await settlePendingRedemptions(env, quiet, { now: due, limit: LIMIT })).toEqual({ applied: 0, released: 0, unresolved: LIMIT });
    expect(await statusesOf(revoked)).toEqual(Array(LIMIT).fill(["pending", 2, due + 2 * SETTLE_RETRY_FIRST_MS]));
    expect(await balanceOf(revoked)).toBe(5000 - LIMIT * 500);
  });
});
