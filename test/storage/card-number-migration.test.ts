import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { members } from "../../src/storage/schema";
import { db, seedCompany } from "../harness";
import { admin, adminKey } from "../admin-harness";

// Migration 0012: card numbers stored before the rule (no spaces or dashes, capitals) are written
// that way, except where two members of a company would then share one.

async function runMigration0012(): Promise<void> {
  const migration = env.TEST_MIGRATIONS.find((m) => m.name.startsWith("0012_"));
  expect(migration?.name).toBe("0012_normalize_card_numbers.sql");
  await env.DB.batch(migration!.queries.map((q) => env.DB.prepare(q)));
}

/** A member's card as an older Worker stored it: as typed. */
async function storeCardAsTyped(memberId: string, card: string): Promise<void> {
  await db.update(members).set({ cardNumber: card }).where(eq(members.id, memberId));
}

async function cardOf(memberId: string): Promise<string | null> {
  const [row] = await db.select({ card: members.cardNumber }).from(members).where(eq(members.id, memberId));
  return row!.card;
}

describe("migration 0012: card numbers stored one way", () => {
  it("rewrites cards stored as typed, leaves pairs that would collide as they are, and is idempotent", async () => {
    const company = await seedCompany();
    const other = await seedCompany();
    const spaced = await company.addMember({ firstName: "Spaced", email: "s@example.com" });
    const lower = await company.addMember({ firstName: "Lower", email: "l@example.com" });
    const pairA = await company.addMember({ firstName: "PairA", email: "a@example.com" });
    const pairB = await company.addMember({ firstName: "PairB", email: "b@example.com" });
    const elsewhere = await other.addMember({ firstName: "Elsewhere", email: "e@example.com" });
    await storeCardAsTyped(spaced, "100 200 300");
    await storeCardAsTyped(lower, "ab-12");
    await storeCardAsTyped(pairA, "7 7 7");
    await storeCardAsTyped(pairB, "7-7-7");
    // The same card in another company is no collision.
    await storeCardAsTyped(elsewhere, "100 200 300");

    await runMigration0012();
    await runMigration0012();

    expect(await cardOf(spaced)).toBe("100200300");
    expect(await cardOf(lower)).toBe("AB12");
    expect(await cardOf(pairA)).toBe("7 7 7");
    expect(await cardOf(pairB)).toBe("7-7-7");
    expect(await cardOf(elsewhere)).toBe("100200300");

    // An import now finds the member however the card is written.
    const key = await adminKey(company.id);
    const res = await admin(key, "POST", "/members/import", { members: [{ first_name: "Spaced", email: "s@example.com", card_number: "100-200-300" }] });
    expect(res.body.rows).toEqual([{ row: 1, status: "unchanged", id: spaced }]);
  });
});
