// What the dashboard's browser tests share: signing in through Kounta (the stand-in approves at
// once), the admin API of the demo company (to check figures against), axe, and the POS's view.
import AxeBuilder from "@axe-core/playwright";
import { expect, type APIRequestContext, type Page } from "@playwright/test";

// (The project's TypeScript sees the Workers runtime, not Node: the little used of Node is typed here.)
declare const process: { env: Record<string, string | undefined> };

/** The demo company's local admin API key (scripts/seed.ts) and add-on key (.dev.vars.example). */
export const DEMO_ADMIN_KEY = "dev-admin-key-456";
export const ADDON_KEY = "local-dev-key";
export const KOUNTA_BASE = `http://localhost:${process.env.E2E_KOUNTA_PORT}`;

/** /dashboard, signed out: the sign-in page, one click, the overview. */
export async function signInToDashboard(page: Page): Promise<void> {
  await page.goto("/dashboard");
  await expect(page).toHaveURL(/\/dashboard\/sign-in$/);
  await page.getByRole("link", { name: "Sign in with Kounta" }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
}

export async function expectNoSeriousA11yViolations(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"])
    .options({ resultTypes: ["violations"] })
    .setLegacyMode(true)
    .analyze();
  const serious = results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
  expect(serious, page.url()).toEqual([]);
}

/** Nothing wider than the viewport: no sideways scrolling of the page itself (tables scroll in their box). */
export async function expectFitsTheScreen(page: Page): Promise<void> {
  const overflow = await page
    .locator("html")
    .evaluate((el) => (el as unknown as { scrollWidth: number }).scrollWidth - (el as unknown as { clientWidth: number }).clientWidth);
  expect(overflow, page.url()).toBeLessThanOrEqual(0);
}

/** Every page of an admin API list. */
export async function adminList<T>(request: APIRequestContext, path: string): Promise<T[]> {
  const rows: T[] = [];
  let cursor: string | null = null;
  do {
    const url = `/admin/v1${path}${path.includes("?") ? "&" : "?"}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const res = await request.get(url, { headers: { Authorization: `Bearer ${DEMO_ADMIN_KEY}` } });
    expect(res.status(), url).toBe(200);
    const body = (await res.json()) as { data: T[]; next_cursor: string | null };
    rows.push(...body.data);
    cursor = body.next_cursor;
  } while (cursor);
  return rows;
}

/** John Smith's points as the POS reads them (the contract's reward lookup, Kounta customer 789). */
export async function posPointsOfJohn(request: APIRequestContext): Promise<string> {
  const res = await request.get(`/kounta/${ADDON_KEY}/reward-lookup?customer_id=789&site_id=123&company_id=456&order_id=111`);
  expect(res.status()).toBe(200);
  const body = (await res.json()) as { member?: { current_points?: string } };
  return body.member!.current_points!;
}

/** The rewards the POS offers John (their titles). */
export async function posRewardTitlesForJohn(request: APIRequestContext): Promise<string[]> {
  const res = await request.get(`/kounta/${ADDON_KEY}/reward-lookup?customer_id=789&site_id=123&company_id=456&order_id=111`);
  expect(res.status()).toBe(200);
  const body = (await res.json()) as { rewards?: Array<{ title: string }> };
  return (body.rewards ?? []).map((r) => r.title);
}

/**
 * Saves what the screen shows into docs/screenshots/ when E2E_SCREENSHOTS=1 (`npm run screenshots`);
 * the desktop overview as a whole page (the README shows it).
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.E2E_SCREENSHOTS !== "1") return;
  await page.screenshot({ path: `docs/screenshots/${name}.png`, fullPage: name === "overview-desktop" });
}

export const whole = (text: string | null) => Number((text ?? "").replace(/[^0-9.-]/g, ""));
