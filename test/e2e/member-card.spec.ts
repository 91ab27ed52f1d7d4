// A customer joins Demo Café from the counter's QR code (/join/456) in a real browser, lands on their
// own card, and the POS finds them by the card number; points credited by the café show on the card.
import { expect, test } from "@playwright/test";
import { ADDON_KEY, DEMO_ADMIN_KEY, expectFitsTheScreen, expectNoSeriousA11yViolations, screenshot } from "./dashboard-helpers";

test("joins at the counter, reads the card, and the POS finds the card number", async ({ page, request }, info) => {
  const email = `new.customer.${info.project.name}.${Date.now() % 1_000_000}@example.com`;
  await page.goto("/join/456");
  await expect(page.getByRole("heading", { level: 1, name: "Join Demo Café" })).toBeVisible();
  await expectFitsTheScreen(page);
  await expectNoSeriousA11yViolations(page);
  await screenshot(page, `join-${info.project.name}`);

  // No email and no mobile: refused, what was typed kept, no member made.
  await page.getByLabel("First name").fill("Grace");
  await page.getByLabel("Last name (optional)").fill("Hopper");
  await page.getByRole("checkbox", { name: /^I agree/ }).check();
  await page.getByRole("button", { name: "Join and get my card" }).click();
  await expect(page.getByRole("alert")).toBeVisible();
  // The problems are where the page takes the customer (focused: scrolled to, read out first).
  await expect(page.getByRole("alert")).toBeFocused();
  await expect(page.getByLabel("First name")).toHaveValue("Grace");
  await expect(page.getByLabel("Last name (optional)")).toHaveValue("Hopper");

  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByRole("checkbox", { name: /^I agree/ }).check();
  await page.getByRole("button", { name: "Join and get my card" }).click();
  await expect(page).toHaveURL(/\/card\/[A-Za-z0-9_-]{43}$/);
  await expect(page.locator('[data-card="first-name"]')).toHaveText("Grace");
  await expect(page.locator('[data-card="points"]')).toHaveText("0");
  await expect(page.locator('[data-card="saving"]')).toContainText("Free coffee");
  await expect(page.locator("body")).not.toContainText("Hopper");
  await expect(page.locator("body")).not.toContainText(email);
  const cardNumber = (await page.locator('[data-card="card-number"]').textContent())!.trim();
  expect(cardNumber).toMatch(/^2\d{12}$/);
  await expect(page.locator("svg[role=img]")).toHaveCount(2);
  await expectFitsTheScreen(page);
  await expectNoSeriousA11yViolations(page);
  await screenshot(page, `card-${info.project.name}`);

  // The scanner types the card number into Kounta's search: exactly this member.
  const search = await request.get(`/kounta/${ADDON_KEY}/customer-search?keyword=${cardNumber}&site_id=123&company_id=456&order_id=111`);
  expect(search.status()).toBe(200);
  const found = (await search.json()) as { members: Record<string, { first_name: string; current_points: string }> };
  const ids = Object.keys(found.members);
  expect(ids).toHaveLength(1);
  expect(found.members[ids[0]!]!.first_name).toBe("Grace");

  // The café credits points (the admin API); the card shows them, and the coffee is ready.
  const credit = await request.post(`/admin/v1/members/${ids[0]}/adjustments`, {
    headers: { Authorization: `Bearer ${DEMO_ADMIN_KEY}` },
    data: { points: 600, reason: "Welcome to the programme" },
  });
  expect(credit.status()).toBe(201);
  await page.reload();
  await expect(page.locator('[data-card="points"]')).toHaveText("600");
  await expect(page.locator('[data-card="redeemable"]')).toContainText("Free coffee");
});
