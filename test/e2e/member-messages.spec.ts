// A customer joins Demo Café with their email and the email box ticked (issue 19): the queue's
// consumer sends the welcome message, which the local outbox keeps (/dev/outbox: the e2e server is
// `wrangler dev` with wrangler.toml's ENVIRONMENT = "development"); its unsubscribe link stops the
// emails, and the answer page's button starts them again.
import { expect, test } from "@playwright/test";
import { expectFitsTheScreen, expectNoSeriousA11yViolations } from "./dashboard-helpers";

// (The email box: "Email me ... when a reward is ready and before my points expire ...".)
const EMAIL_BOX = /^Email me\b/;
const TERMS_BOX = /^I agree to join the Demo Café loyalty programme/;

test("joins with emails on, gets the welcome message, unsubscribes and subscribes again", async ({ page }, info) => {
  // Unique per run and per project: the outbox and the company's members outlive a test.
  const email = `messages.${info.project.name}.${Date.now().toString(36)}@example.com`;
  await page.goto("/join/456");
  await expect(page.getByRole("heading", { level: 1, name: "Join Demo Café" })).toBeVisible();
  const emailBox = page.getByRole("checkbox", { name: EMAIL_BOX });
  const termsBox = page.getByRole("checkbox", { name: TERMS_BOX });
  await expect(emailBox).not.toBeChecked();

  // No first name (only spaces, which the browser's `required` lets through): refused by the Worker,
  // and both boxes stay ticked, with what was typed.
  await page.getByLabel("First name").fill("   ");
  await page.getByLabel("Email", { exact: true }).fill(email);
  await termsBox.check();
  await emailBox.check();
  await page.getByRole("button", { name: "Join and get my card" }).click();
  await expect(page.getByRole("alert")).toBeVisible();
  await expect(page.getByLabel("First name")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByLabel("Email", { exact: true })).toHaveValue(email);
  await expect(emailBox).toBeChecked();
  await expect(termsBox).toBeChecked();

  await page.getByLabel("First name").fill("Ada");
  await page.getByRole("button", { name: "Join and get my card" }).click();
  await expect(page).toHaveURL(/\/card\/[A-Za-z0-9_-]{43}$/);
  await expect(page.locator('[data-card="first-name"]')).toHaveText("Ada");

  // The consumer delivers within a second or two of the join: reload the outbox until it is there.
  const message = page.locator("article").filter({ hasText: `To ${email}` });
  await expect(async () => {
    await page.goto("/dev/outbox");
    await expect(message).toHaveCount(1, { timeout: 500 });
  }).toPass({ timeout: 15_000, intervals: [250, 500, 1000] });
  await expect(message.getByRole("heading", { level: 2 })).toHaveText("Welcome to the Demo Café loyalty programme");
  await expect(message).toContainText("Hello Ada,");
  // Long links and addresses wrap: the outbox fits a phone too.
  await expectFitsTheScreen(page);
  await expectNoSeriousA11yViolations(page);

  // The message's own unsubscribe link (signed for this member): a question, one button.
  const unsubscribe = message.getByRole("link", { name: /\/unsubscribe\// });
  await expect(unsubscribe).toHaveCount(1);
  await unsubscribe.click();
  await expect(page).toHaveURL(/\/unsubscribe\/456\/mem_[^/]+\/[^/]+$/);
  const question = page.getByRole("heading", { level: 1, name: "Stop emails from the Demo Café loyalty programme?" });
  await expect(question).toBeVisible();
  await expect(page.locator("body")).toContainText("Ada,");
  await expectFitsTheScreen(page);
  await expectNoSeriousA11yViolations(page);

  await page.getByRole("button", { name: "Unsubscribe" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "You are unsubscribed" })).toBeVisible();
  await expect(page.getByRole("status")).toContainText("you will get no more emails");
  await expectFitsTheScreen(page);
  await expectNoSeriousA11yViolations(page);

  // Changed their mind: emails again, and the question is back (with word that it worked).
  await page.getByRole("button", { name: "Email me again" }).click();
  await expect(question).toBeVisible();
  await expect(page.getByRole("status")).toHaveText("You will get our emails again.");
  await expect(page.getByRole("button", { name: "Unsubscribe" })).toBeVisible();
});
