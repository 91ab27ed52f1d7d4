import { adjustPoints } from "../../src/loyalty/ledger/adjust-points";
import { db, seedCompany } from "../harness";
import { programme } from "../redeem-harness";

// The Activity tests' company: two members (names a spreadsheet would run as formulas), adjustments
// in April 2024 with notes that would be formulas too, redemptions in May 2024 in each state.

export async function adjust(companyId: string, memberId: string, at: string, points: number, note: string): Promise<string> {
  const result = await adjustPoints(db, { companyId, memberId, points, reason: note, idempotencyKey: null, actor: "api_key:key_test", now: Date.parse(at) });
  if (result.outcome !== "adjusted") throw new Error(`adjustment ${result.outcome}`);
  return result.entry.id;
}

export const HYPERLINK = '=HYPERLINK("https://evil.example","Click")';
export const CMD = "+cmd|' /C calc'!A0";

export async function seedActivity() {
  const company = await seedCompany({ rewards: programme, pointsLabel: "Beans" });
  const ann = await company.addMember({ firstName: "-Ann", lastName: "Lee", email: "ann@example.com", openingPoints: 5000 });
  const bob = await company.addMember({ firstName: "@Bob", email: "bob@example.com", openingPoints: 5000 });
  const adjusted = {
    annApril1: await adjust(company.id, ann, "2024-04-01T10:00:00Z", 50, HYPERLINK),
    bobApril2: await adjust(company.id, bob, "2024-04-02T11:00:00Z", -20, CMD),
    annApril4: await adjust(company.id, ann, "2024-04-04T09:00:00Z", 5, "Late"),
  };
  return { company, ann, bob, adjusted };
}
