import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { LoyaltyCache } from "../../src/loyalty/cache";
import { putTierProgramme } from "../../src/loyalty/tiers/tiers";
import { rewards } from "../../src/storage/schema";
import { db } from "../harness";
import { addLedgerRows, cardItems, cardPage, cardText, linkFor, rewardCompany } from "./card-fixtures";

// The card page and tiers: where the member stands, and the POS's rule for rewards of a tier (none
// above the member's level is shown, neither as redeemable nor as saved toward).

const now = Date.now();

async function tieredCompany() {
  const company = await rewardCompany();
  const put = await putTierProgramme(db, new LoyaltyCache(env.CACHE), {
    companyId: company.id,
    basis: "points",
    window: "rolling",
    windowMonths: 12,
    tiers: [
      { name: "Bronze", threshold: 0, multiplier: 1 },
      { name: "Silver", threshold: 150, multiplier: 1 },
      { name: "Gold", threshold: 400, multiplier: 1 },
    ],
  });
  if (put.outcome !== "saved") throw new Error(put.outcome);
  const gold = put.programme.tiers[2]!;
  // The lunch is for Gold members only.
  await db.update(rewards).set({ minTierId: gold.id }).where(eq(rewards.id, company.rewardId("lunch")));
  return company;
}

describe("the card page with tiers", () => {
  it("says where a member stands and hides a reward of a tier above theirs", async () => {
    const company = await tieredCompany();
    const id = await company.addMember({ firstName: "Matilda", email: "matilda@example.com" });
    await addLedgerRows(company.id, id, [{ delta: 200, reason: "earn", key: "earn:7001", orderId: "7001", at: now - 3_600_000 }]);

    const { status, html } = await cardPage(await linkFor(company.id, id));

    expect(status).toBe(200);
    expect(cardText(html, "tier")).toBe("Silver: 200 Beans to Gold");
    expect(cardItems(html, "redeemable")).toEqual(["Free coffee 100 Beans"]);
    // Lunch for two (Gold only) is not saved toward by a Silver member.
    expect(cardItems(html, "saving")).toEqual(["Slice of cake 100 Beans to go", "Tote bag 1,800 Beans to go", "Mug 4,800 Beans to go"]);
  });

  it("shows a Gold member the Gold reward, and the top level alone", async () => {
    const company = await tieredCompany();
    const id = await company.addMember({ firstName: "Grace", email: "grace@example.com" });
    await addLedgerRows(company.id, id, [{ delta: 450, reason: "earn", key: "earn:7002", orderId: "7002", at: now - 3_600_000 }]);

    const { html } = await cardPage(await linkFor(company.id, id));

    expect(cardText(html, "tier")).toBe("Gold");
    expect(cardItems(html, "saving")).toEqual(["Lunch for two 550 Beans to go", "Tote bag 1,550 Beans to go", "Mug 4,550 Beans to go"]);
  });

  it("says nothing of tiers when the company has none", async () => {
    const company = await rewardCompany();
    const id = await company.addMember({ firstName: "Ned", email: "ned@example.com" });
    const { html } = await cardPage(await linkFor(company.id, id));
    expect(cardText(html, "tier")).toBeNull();
  });
});
