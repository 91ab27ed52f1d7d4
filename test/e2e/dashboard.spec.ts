// The merchant dashboard in a real browser, on a phone and on a desktop (playwright.config.ts), against
// the Worker, the Kounta stand-in and the demo seed (scripts/e2e-server.ts): signing in with one click,
// every page (fits the screen, no serious accessibility violation), the tasks a café owner does, and
// that one company's session never shows another's member.
import { expect, test, type BrowserContext, type Page } from "@playwright/test";
import {
  expectFitsTheScreen,
  expectNoSeriousA11yViolations,
  KOUNTA_BASE,
  posPointsOfJohn,
  posRewardTitlesForJohn,
  screenshot,
  signInToDashboard,
} from "./dashboard-helpers";

// (The project's TypeScript sees the Workers runtime, not Node: the little used of Node is typed here.)
declare const Buffer: { from(text: string): Uint8Array };

const sections = ["Overview", "Members", "Rewards", "Programme", "Import", "Activity", "Connection"] as const;

async function openSection(page: Page, name: (typeof sections)[number]) {
  await page.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name, exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
}

test("every page: signed in with one click, fits the screen, no serious accessibility violation", async ({ page }, info) => {
  await signInToDashboard(page);
  for (const name of sections) {
    await openSection(page, name);
    await expect(page.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name, exact: true })).toHaveAttribute("aria-current", "page");
    await expectFitsTheScreen(page);
    await expectNoSeriousA11yViolations(page);
    await screenshot(page, `${name.toLowerCase()}-${info.project.name}`);
  }
});

test("finds John Smith, changes his points with a reason, and the POS sees the new balance", async ({ page, request }, info) => {
  const before = Number(await posPointsOfJohn(request));
  await signInToDashboard(page);
  await openSection(page, "Members");
  await page.getByLabel("Find a member").fill("John Smith");
  await page.getByRole("button", { name: "Search" }).click();
  await page.getByRole("link", { name: "John Smith", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("John Smith");
  await expect(page.getByText("100200300")).toBeVisible();
  await expectNoSeriousA11yViolations(page);
  await screenshot(page, `member-${info.project.name}`);

  // A reason too short (the browser lets it through; the admin API's schema refuses it): refused,
  // what was typed is kept, nothing changes.
  const points = page.getByLabel("Points to add or take away");
  await points.fill("25");
  await page.getByLabel("Reason").fill("ok");
  await page.getByRole("button", { name: "Change the balance" }).click();
  await expect(page.locator("#a-reason-error")).toBeVisible();
  await expect(points).toHaveValue("25");
  await expect(page.getByLabel("Reason")).toHaveValue("ok");
  expect(Number(await posPointsOfJohn(request))).toBe(before);

  await page.getByLabel("Reason").fill(`Goodwill from the ${info.project.name} test`);
  await page.getByRole("button", { name: "Change the balance" }).click();
  await expect(page.getByRole("status")).toBeVisible();
  await expect(page.getByText(`Goodwill from the ${info.project.name} test`)).toBeVisible();
  expect(Number(await posPointsOfJohn(request))).toBe(before + 25);
});

test("creates a reward and the POS offers it; bad input keeps what was typed", async ({ page, request }, info) => {
  const title = `E2E ${info.project.name} $1 off ${Date.now() % 100000}`;
  await signInToDashboard(page);
  await openSection(page, "Rewards");
  await page.getByRole("link", { name: "Add a reward" }).click();
  await page.getByRole("link", { name: "Amount off", exact: true }).click();
  await page.getByLabel("Title").fill(title);
  await page.getByLabel(/^Amount off, in/).fill("1.005");
  await page.getByLabel("Points needed").fill("10");
  await page.getByRole("button", { name: "Add the reward" }).click();
  await expect(page.locator("#f-amount-error")).toBeVisible();
  await expect(page.getByLabel("Title")).toHaveValue(title);
  expect(await posRewardTitlesForJohn(request)).not.toContain(title);

  await page.getByLabel(/^Amount off, in/).fill("1.00");
  await page.getByRole("button", { name: "Add the reward" }).click();
  await expect(page.getByRole("status")).toBeVisible();
  await expect(page.getByText(title)).toBeVisible();
  expect(await posRewardTitlesForJohn(request)).toContain(title);

  // Taken off the POS again (after the browser's confirmation): the demo's rewards are as seeded.
  page.once("dialog", (dialog) => void dialog.accept());
  await page.locator("tr", { hasText: title }).getByRole("button", { name: "Deactivate" }).click();
  await expect(page.getByRole("status")).toBeVisible();
  expect(await posRewardTitlesForJohn(request)).not.toContain(title);
});

test("imports a small CSV and shows the report row by row", async ({ page }, info) => {
  const stamp = `${info.project.name}${Date.now() % 100000}`;
  await signInToDashboard(page);
  await openSection(page, "Import");
  await page.getByLabel("CSV file").setInputFiles({
    name: "members.csv",
    mimeType: "text/csv",
    buffer: Buffer.from(`first_name,last_name,email\nAda,Lovelace,ada.${stamp}@example.com\nNo,Contact,\n`),
  });
  await page.getByRole("button", { name: "Import" }).click();
  const report = page.locator("section[aria-labelledby=report]");
  await expect(report).toContainText(`ada.${stamp}@example.com`);
  await expect(report).toContainText("Added");
  await expect(report).toContainText("Not imported");
  await expectNoSeriousA11yViolations(page);
});

test("exports the ledger as a CSV file", async ({ page }) => {
  await signInToDashboard(page);
  await openSection(page, "Activity");
  const link = page.getByRole("link", { name: /CSV\)$/ }).first();
  const [download] = await Promise.all([page.waitForEvent("download"), link.click()]);
  expect(download.suggestedFilename()).toMatch(/^loyalty-ledger.*\.csv$/);
  // The same file through the page's own session (its cookie), read as text.
  const res = await page.request.get((await link.getAttribute("href"))!);
  expect(res.headers()["content-type"]).toBe("text/csv; charset=utf-8");
  const lines = (await res.text()).replace(/^\uFEFF/, "").split("\r\n");
  expect(lines[0]).toBe('"Time (UTC)","Member","Email","Member ID","Points","What","Note","By","Reward","Site","Order","Entry ID"');
  expect(lines.length).toBeGreaterThan(500);
});

/** Connects and signs in another Kounta company (made in the stand-in) in its own browser context. */
async function otherCompany(context: BrowserContext, id: string): Promise<Page> {
  const made = await context.request.post(`${KOUNTA_BASE}/_stand-in/companies`, { data: { id, siteId: `${id}1`, name: `Other Café ${id}` } });
  expect(made.status()).toBe(201);
  const page = await context.newPage();
  for (const start of ["/connect", "/oauth/sign-in"]) {
    const res = await context.request.get(start, { maxRedirects: 0 });
    const authorize = new URL(res.headers().location!);
    authorize.searchParams.set("company_id", id);
    const approved = await context.request.get(authorize.toString(), { maxRedirects: 0 });
    await page.goto(approved.headers().location!);
  }
  await expect(page.getByRole("heading", { level: 1, name: "Overview" })).toBeVisible();
  await expect(page.locator("header.top")).toContainText(`Other Café ${id}`);
  return page;
}

test("a session of one company never shows another's member, tried by URL", async ({ page, browser }, info) => {
  const otherContext = await browser.newContext();
  const other = await otherCompany(otherContext, info.project.name === "phone" ? "7700001" : "7700002");
  await other.goto("/dashboard/members/new");
  await other.getByLabel("First name").fill("Secret");
  await other.getByLabel("Email").fill(`secret.${info.project.name}@example.com`);
  await other.getByRole("button", { name: "Add the member" }).click();
  await expect(other.getByRole("heading", { level: 1 })).toContainText("Secret");
  const memberPath = new URL(other.url()).pathname;
  expect(memberPath).toMatch(/^\/dashboard\/members\/mem_/);

  await signInToDashboard(page);
  const res = await page.goto(memberPath);
  expect(res?.status()).toBe(404);
  await expect(page.locator("body")).not.toContainText("Secret");
  await page.goto(`/dashboard/members?q=${encodeURIComponent(`secret.${info.project.name}@example.com`)}`);
  await expect(page.locator("main")).not.toContainText("Secret");
  await otherContext.close();
});

test("signing out ends the session", async ({ page }) => {
  await signInToDashboard(page);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByText("You are signed out.")).toBeVisible();
  await page.goto("/dashboard/members");
  await expect(page).toHaveURL(/\/dashboard\/sign-in$/);
});
