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

test("tiers, John Smith's level, rewards for a tier, manager mode and the flags", async ({ page, request }) => {
  const CODE = "246810";
  await signInToDashboard(page);
  await openSection(page, "Programme");
  // The seed's three tiers, lowest first; a new tier refused (its threshold is no number) keeps what was typed.
  const tiers = page.locator("#tiers");
  for (const [i, name] of ["Bronze", "Silver", "Gold"].entries()) {
    await expect(tiers.getByRole("group", { name: `Tier ${i + 1}` }).getByLabel("Name")).toHaveValue(name);
  }
  const newTier = tiers.getByRole("group", { name: /^A new tier/ }).first();
  await newTier.getByLabel("Name").fill("Platinum");
  await newTier.getByLabel(/^Threshold/).fill("lots");
  await tiers.getByRole("button", { name: "Save the tiers" }).click();
  await expect(page.locator("#t-tier_3_threshold-error")).toBeVisible();
  // The tiers' form is far down the page: its problems are focused, so the page opens on them.
  await expect(page.locator("#tiers [data-problems]")).toBeFocused();
  await expect(page.locator("#tiers").getByRole("group", { name: /^A new tier/ }).first().getByLabel(/^Threshold/)).toHaveValue("lots");
  await expect(page.locator("#tiers").getByRole("group", { name: "Tier 3" }).getByLabel("Name")).toHaveValue("Gold");
  await expectFitsTheScreen(page);
  await expectNoSeriousA11yViolations(page);

  // Manager mode: the first run sets the code on the Limits form (no code yet: anyone may), then enters it.
  const manager = page.locator("#manager");
  if ((await manager.getByRole("button", { name: "Enter manager mode" }).count()) === 0) {
    const limits = page.locator("#limits");
    await limits.getByLabel("Manager code", { exact: true }).fill(CODE);
    await limits.getByLabel("The same code again").fill(CODE);
    await limits.getByRole("button", { name: "Save the limits" }).click();
    await expect(page.getByRole("status")).toContainText("the manager code were saved");
  }
  await page.locator("#manager").getByLabel("Manager code").fill(CODE);
  await page.locator("#manager").getByRole("button", { name: "Enter manager mode" }).click();
  await expect(page.getByRole("status")).toContainText("manager mode");
  await expect(page.locator("header.top")).toContainText("Manager mode");
  await page.locator("#manager").getByRole("button", { name: "Leave manager mode" }).click();
  await expect(page.getByRole("status")).toContainText("left manager mode");
  await expect(page.locator("header.top")).not.toContainText("Manager mode");

  // John Smith is Gold by hand, for good, with that change in his history; the POS offers him the Gold reward.
  await openSection(page, "Members");
  await page.getByLabel("Find a member").fill("John Smith");
  await page.getByRole("button", { name: "Search" }).click();
  await page.getByRole("link", { name: "John Smith", exact: true }).click();
  await expect(page.locator("[data-figure=member-tier]")).toHaveText("Gold");
  await expect(page.locator("[data-figure=tier-manual]")).toContainText("at least Gold, for good");
  await expect(page.locator("table[data-table=tier-changes]")).toContainText("Set by hand");
  await expect(page.getByLabel("Level set by hand")).toHaveValue("tier_demo_gold");
  await expectFitsTheScreen(page);
  await expectNoSeriousA11yViolations(page);
  expect(await posRewardTitlesForJohn(request)).toContain("Gold: free slice of cake");

  // The rewards list says who a reward is for; the form offers each tier.
  await openSection(page, "Rewards");
  await expect(page.locator("tr", { hasText: "Gold: free slice of cake" })).toContainText("For Gold members and above");
  await page.getByRole("link", { name: "Add a reward" }).click();
  await page.getByRole("link", { name: "Free product", exact: true }).click();
  await expect(page.getByLabel("For members of").locator("option")).toHaveText(["Every member", "Bronze and above", "Silver and above", "Gold and above"]);

  // Suspicious activity, by kind.
  await openSection(page, "Activity");
  await page.getByRole("link", { name: "Suspicious activity" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Suspicious activity" })).toBeVisible();
  await page.getByLabel("Kind").selectOption("large_adjustment");
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page).toHaveURL(/kind=large_adjustment/);
  await expect(page.getByLabel("Kind")).toHaveValue("large_adjustment");
  await expectFitsTheScreen(page);
  await expectNoSeriousA11yViolations(page);
});

test("messages to members: a switch saved and put back, and the list of messages with the dead ones a filter away", async ({ page }) => {
  await signInToDashboard(page);
  await openSection(page, "Programme");
  const messages = page.locator("#messages");
  const expiring = messages.getByRole("checkbox", { name: "Points expiring" });
  await expect(messages.getByRole("checkbox", { name: "Welcome" })).toBeChecked();
  await expect(expiring).toBeChecked();
  await expiring.uncheck();
  await messages.getByRole("button", { name: "Save the messages" }).click();
  await expect(page.getByRole("status")).toContainText("The messages to members were saved");
  await expect(page.locator("#messages").getByRole("checkbox", { name: "Points expiring" })).not.toBeChecked();
  await expectFitsTheScreen(page);
  await expectNoSeriousA11yViolations(page);
  // Put back as the seed has it (the other project, and the join's welcome, expect every kind on).
  await page.locator("#messages").getByRole("checkbox", { name: "Points expiring" }).check();
  await page.locator("#messages").getByRole("button", { name: "Save the messages" }).click();
  await expect(page.locator("#messages").getByRole("checkbox", { name: "Points expiring" })).toBeChecked();

  await openSection(page, "Activity");
  await page.getByRole("link", { name: "Messages to members" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Messages to members" })).toBeVisible();
  await page.getByLabel("Status").selectOption("dead");
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page).toHaveURL(/status=dead/);
  await expect(page.getByLabel("Status")).toHaveValue("dead");
  await expectFitsTheScreen(page);
  await expectNoSeriousA11yViolations(page);
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
  await other.getByLabel("Email", { exact: true }).fill(`secret.${info.project.name}@example.com`);
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
