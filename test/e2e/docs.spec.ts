// The /docs reference in a real browser (Playwright, Debian's Chromium; playwright.config.ts starts
// the Worker), on a phone and on a desktop: a newcomer can see how to create a reward, and the page
// passes an accessibility check. Named *.spec.ts so vitest (test/**/*.test.ts) leaves it alone.
import AxeBuilder from "@axe-core/playwright";
import { expect, test, type Page } from "@playwright/test";

// (The project's TypeScript sees the Workers runtime, not the DOM: the page's elements are typed by hand.)
const openAllDetails = (page: Page) => page.locator("details").evaluateAll((all) => all.forEach((d) => d.setAttribute("open", "")));

test.beforeEach(async ({ page }) => {
  const res = await page.goto("/docs");
  expect(res?.status()).toBe(200);
  expect(res?.headers()["content-type"]).toMatch(/^text\/html/);
});

test("shows how to create a reward: the request body's fields resolved, and examples", async ({ page }) => {
  const op = page.locator('[id="post-admin-v1-rewards"]');
  await page.getByRole("navigation", { name: "Contents" }).getByRole("link", { name: "POST /admin/v1/rewards", exact: true }).click();
  await expect(op).toBeInViewport();
  await expect(op.getByRole("heading", { level: 3 })).toHaveText("POST /admin/v1/rewards");

  const body = op.locator(".media").first();
  await expect(body).toBeVisible();
  await expect(body.locator(".media-type")).toHaveText("application/json, required");
  await expect(body.locator(".schema-name").first()).toHaveText("NewReward");
  // The union's four kinds, each with its fields (the component inlined, not a reference).
  await expect(body.locator(".variants > li")).toHaveCount(4);
  for (const field of ["kind", "title", "terms", "points_required", "action_label", "amount_cents", "percent", "product_id"]) {
    await expect(body.locator("code.field", { hasText: new RegExp(`^${field}$`) }).first(), field).toBeVisible();
  }
  await expect(body.getByText("required", { exact: true }).first()).toBeVisible();

  // Examples, as JSON a newcomer can send.
  const examples = body.locator("pre.example");
  await expect(examples.first()).toBeVisible();
  expect(await examples.count()).toBeGreaterThanOrEqual(1);
  const first = JSON.parse(await examples.first().innerText()) as Record<string, unknown>;
  expect(first).toMatchObject({ kind: expect.any(String), title: expect.any(String), points_required: expect.any(Number) });

  // No unresolved reference anywhere: neither shown nor in the page's text (closed <details> included).
  expect(await page.locator("body").innerText()).not.toContain("$ref");
  expect(await page.locator("body").textContent()).not.toContain("$ref");
  await openAllDetails(page);
  expect(await page.locator("body").innerText()).not.toContain("$ref");

  // The icon upload's examples are real images, shown inline (no request leaves the page).
  const icons = page.locator('[id="put-admin-v1-members-id-icon"] img.example-image');
  await expect(icons).toHaveCount(2);
  for (const img of await icons.all()) {
    expect(await img.evaluate((el) => (el as unknown as { complete: boolean; naturalWidth: number }).naturalWidth)).toBe(16);
  }
});

test("fits the screen and has no serious or critical accessibility violations", async ({ page }) => {
  // Nothing wider than the viewport: no sideways scrolling on a phone.
  const overflow = await page
    .locator("html")
    .evaluate((el) => (el as unknown as { scrollWidth: number }).scrollWidth - (el as unknown as { clientWidth: number }).clientWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await expect(page.locator("script")).toHaveCount(0);

  // Every response schema opened too, so axe checks all of the page.
  await openAllDetails(page);
  // Legacy mode runs axe in the page itself (the page has no frames), only violations reported: a
  // few seconds rather than many on this long page.
  const results = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"])
    .options({ resultTypes: ["violations"] })
    .setLegacyMode(true)
    .analyze();
  const serious = results.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) }));
  expect(serious).toEqual([]);
});
