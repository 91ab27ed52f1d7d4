// The overview against the seed: every figure recomputed from the admin API's own lists (members,
// ledger, redemptions) of the demo company. Runs first (project "overview"), before any browser test
// changes the data (playwright.config.ts: the other projects depend on it).
import { expect, test } from "@playwright/test";
import { adminList, DEMO_ADMIN_KEY, expectFitsTheScreen, expectNoSeriousA11yViolations, signInToDashboard, whole } from "./dashboard-helpers";

interface Member {
  id: string;
  points: number;
  created_at: string;
}
interface LedgerRow {
  member_id: string;
  delta: number;
  reason: string;
  created_at: string;
}
interface Redemption {
  status: string;
  created_at: string;
}

const DAY = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

test("the overview's figures are the seed's, counted from its members, ledger and redemptions", async ({ page, request }) => {
  const now = Date.now();
  const today = Math.floor(now / DAY) * DAY;
  const monthStart = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), 1);
  const members = await adminList<Member>(request, "/members");
  const recent = await adminList<LedgerRow>(request, `/ledger?from=${isoDay(today - 29 * DAY)}`);
  const redemptions = await adminList<Redemption>(request, `/redemptions?from=${isoDay(monthStart)}`);
  const settings = (await (await request.get("/admin/v1/settings", { headers: { Authorization: `Bearer ${DEMO_ADMIN_KEY}` } })).json()) as {
    point_value_cents: number;
  };
  const outstanding = members.reduce((sum, m) => sum + Math.max(0, m.points), 0);
  const active = new Set(recent.filter((r) => r.reason === "earn" || r.reason === "redeem").map((r) => r.member_id));
  expect(members.length).toBeGreaterThan(50);
  expect(active.size).toBeGreaterThan(0);

  await signInToDashboard(page);
  const figure = (name: string) => page.locator(`[data-figure="${name}"]`);
  await expect(page.locator("header.top")).toContainText("Demo Café");
  expect(whole(await figure("members-total").textContent())).toBe(members.length);
  expect(whole(await figure("members-active").textContent())).toBe(active.size);
  expect(whole(await figure("members-new").textContent())).toBe(members.filter((m) => Date.parse(m.created_at) >= monthStart).length);
  expect(whole(await figure("points-outstanding").textContent())).toBe(outstanding);
  await expect(figure("liability")).toHaveText(
    new Intl.NumberFormat("en", { style: "currency", currency: "AUD", currencyDisplay: "narrowSymbol" }).format((outstanding * settings.point_value_cents) / 100),
  );
  expect(whole(await figure("redemptions-month").textContent())).toBe(redemptions.filter((r) => r.status !== "failed").length);

  // The chart's weeks: what the ledger earned and redeemed since the first one's Monday.
  const rows = page.locator("figure.card table tbody tr");
  await expect(rows).toHaveCount(12);
  const firstMonday = await page.locator("figure.card table tbody tr").first().locator("td").first().textContent();
  expect(firstMonday).toBeTruthy();
  const day = today / DAY;
  const monday = (day - ((day + 3) % 7) - 11 * 7) * DAY;
  const weeks = await adminList<LedgerRow>(request, `/ledger?from=${isoDay(monday)}`);
  const cells = await rows.evaluateAll((trs) =>
    trs.map((tr) => Array.from((tr as unknown as { querySelectorAll(s: string): ArrayLike<{ textContent: string | null }> }).querySelectorAll("td"), (td) => td.textContent ?? "")),
  );
  const earnedShown = cells.reduce((sum, c) => sum + whole(c[1]!), 0);
  const redeemedShown = cells.reduce((sum, c) => sum + whole(c[2]!), 0);
  expect(earnedShown).toBe(weeks.filter((r) => r.reason === "earn").reduce((s, r) => s + r.delta, 0));
  expect(redeemedShown).toBe(-weeks.filter((r) => r.reason === "redeem").reduce((s, r) => s + r.delta, 0));
  expect(earnedShown).toBeGreaterThan(0);
  await expect(page.locator("svg.chart rect.earned")).toHaveCount(12);

  await expectFitsTheScreen(page);
  await expectNoSeriousA11yViolations(page);
});
