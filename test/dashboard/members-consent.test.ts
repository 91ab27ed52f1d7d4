import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { members } from "../../src/storage/schema";
import { notificationRows } from "../admin/notifications.fixtures";
import { figure, page, post, signedIn } from "../dashboard-harness";
import { db, seedCompany } from "../harness";

// A member's email consent in the dashboard: the box on the add and details forms (NewMember and
// MemberPatch's email_consent), what the member page says, the welcome after adding a member who
// agreed, and email_consent_at moving only when the consent changes.

const LABEL = "Agreed to emails about their points and rewards";
const consentOf = async (id: string) => {
  const [row] = await db.select({ consent: members.emailConsent, at: members.emailConsentAt }).from(members).where(eq(members.id, id));
  return row!;
};
const box = (prefix: string, checked: boolean) =>
  `<input id="${prefix}-email_consent" type="checkbox" name="email_consent" value="true"${checked ? ' checked=""' : ""} aria-describedby="${prefix}-email_consent-hint"/><label for="${prefix}-email_consent">${LABEL}</label>`;
/** A ticked box as the browser sends it: the hidden "false" first, then "true". */
const TICKED = ["false", "true"];
const createdId = (location: string | null) => /^\/dashboard\/members\/(mem_[a-z0-9]+)\?done=created$/.exec(location ?? "")?.[1];
const welcomeStatus = expect.stringMatching(/^(queued|sending|sent)$/);

async function setup() {
  const company = await seedCompany();
  return { company, browser: await signedIn(company.id) };
}

describe("dashboard: consent when adding a member", () => {
  it("the form has the box, unticked; ticked, the member agreed now and is welcomed", async () => {
    const { company, browser } = await setup();
    const form = await page(browser, "/dashboard/members/new");
    expect(form.html).toContain(box("n", false));

    const before = Date.now();
    const res = await post(browser, "/dashboard/members", { first_name: "Ada", email: "ada@example.com", email_consent: TICKED });
    expect(res.status).toBe(303);
    const id = createdId(res.location)!;
    const consent = await consentOf(id);
    expect(consent.consent).toBe(true);
    expect(consent.at).toBeGreaterThanOrEqual(before);
    expect(await notificationRows(company.id)).toEqual([{ member_id: id, kind: "welcome", occasion: "joined", status: welcomeStatus }]);

    const shown = await page(browser, res.location!);
    expect(figure(shown.html, "member-email-consent")).toMatch(new RegExp(`^${LABEL} on \\d{1,2} \\w{3} \\d{4}, \\d\\d:\\d\\d UTC\\.$`));
    expect(shown.html).toContain(box("d", true));
  });

  it("unticked: no consent, no welcome, and the page says none are sent", async () => {
    const { company, browser } = await setup();
    const res = await post(browser, "/dashboard/members", { first_name: "Bob", email: "bob@example.com", email_consent: "false" });
    const id = createdId(res.location)!;
    expect(await consentOf(id)).toEqual({ consent: false, at: null });
    expect(await notificationRows(company.id)).toEqual([]);
    const shown = await page(browser, res.location!);
    expect(figure(shown.html, "member-email-consent")).toBe("Has not agreed to emails about their points and rewards: none are sent.");
    expect(shown.html).toContain(box("d", false));
  });

  it("a refused form keeps the box as it was ticked, and adds nobody", async () => {
    const { company, browser } = await setup();
    const res = await post(browser, "/dashboard/members", { first_name: "Cy", email: "not-an-email", email_consent: TICKED });
    expect(res.status).toBe(400);
    expect(res.html).toContain(box("n", true));
    expect(res.html).toContain('value="not-an-email"');
    expect(await db.select().from(members).where(eq(members.companyId, company.id))).toEqual([]);
    expect(await notificationRows(company.id)).toEqual([]);
  });
});

describe("dashboard: consent on a member's details", () => {
  const details = { first_name: "Dee", last_name: "", email: "dee@example.com", phone: "", card_number: "" };

  it("ticking it gives consent (no welcome); saving again keeps its time; unticking withdraws it", async () => {
    const { company, browser } = await setup();
    const id = await company.addMember({ firstName: "Dee", email: "dee@example.com" });

    expect((await post(browser, `/dashboard/members/${id}`, { ...details, email_consent: TICKED })).location).toBe(`/dashboard/members/${id}?done=saved`);
    const given = await consentOf(id);
    expect(given.consent).toBe(true);
    expect(given.at).toEqual(expect.any(Number));

    await new Promise((resolve) => setTimeout(resolve, 5));
    await post(browser, `/dashboard/members/${id}`, { ...details, phone: "0400 000 020", email_consent: TICKED });
    expect(await consentOf(id)).toEqual(given);

    await new Promise((resolve) => setTimeout(resolve, 5));
    await post(browser, `/dashboard/members/${id}`, { ...details, email_consent: "false" });
    const withdrawn = await consentOf(id);
    expect(withdrawn.consent).toBe(false);
    expect(withdrawn.at).toBeGreaterThan(given.at!);

    const shown = await page(browser, `/dashboard/members/${id}`);
    expect(figure(shown.html, "member-email-consent")).toMatch(
      /^Does not want emails about their points and rewards since \d{1,2} \w{3} \d{4}, \d\d:\d\d UTC: none are sent\.$/,
    );
    expect(shown.html).toContain(box("d", false));
    expect(await notificationRows(company.id)).toEqual([]);
  });

  it("a refused change keeps the box as ticked and changes nothing", async () => {
    const { company, browser } = await setup();
    const id = await company.addMember({ firstName: "Eve", email: "eve@example.com" });
    const res = await post(browser, `/dashboard/members/${id}`, { ...details, first_name: "", email_consent: TICKED });
    expect(res.status).toBe(400);
    expect(res.html).toContain(box("d", true));
    expect(await consentOf(id)).toEqual({ consent: false, at: null });
  });

  it("another company's member: 404, nothing changed", async () => {
    const { browser } = await setup();
    const other = await seedCompany();
    const theirs = await other.addMember({ firstName: "Fay", email: "fay@example.com" });
    const res = await post(browser, `/dashboard/members/${theirs}`, { ...details, email_consent: TICKED });
    expect(res.status).toBe(404);
    expect(await consentOf(theirs)).toEqual({ consent: false, at: null });
  });
});

describe("dashboard: a page left open does not undo an unsubscribe", () => {
  it("saving other details with the box as it was drawn keeps the member's own unsubscribe; changing the box or the email decides", async () => {
    const { company, browser } = await setup();
    const id = await company.addMember({ firstName: "Ada", email: "ada.stale@example.com" });
    await db.update(members).set({ emailConsent: true, emailConsentAt: 1 }).where(eq(members.id, id));
    // The page is drawn with the box ticked; then the member unsubscribes from an email.
    const drawn = await page(browser, `/dashboard/members/${id}`);
    expect(drawn.html).toContain('<input type="hidden" name="email_consent_was" value="true"/>');
    await db.update(members).set({ emailConsent: false, emailConsentAt: 2 }).where(eq(members.id, id));
    const details = { first_name: "Ada", last_name: "", email: "ada.stale@example.com", phone: "0400 111 222", card_number: "" };
    const saved = await post(browser, `/dashboard/members/${id}`, { ...details, email_consent: TICKED, email_consent_was: "true" });
    expect(saved.status).toBe(303);
    expect(await consentOf(id)).toEqual({ consent: false, at: 2 });
    // Ticking a box drawn unticked is the merchant's decision.
    await post(browser, `/dashboard/members/${id}`, { ...details, email_consent: TICKED, email_consent_was: "false" });
    expect((await consentOf(id)).consent).toBe(true);
    // A new email without the box: its owner has not agreed.
    await post(browser, `/dashboard/members/${id}`, { ...details, email: "ada.new@example.com", email_consent: "false", email_consent_was: "true" });
    expect((await consentOf(id)).consent).toBe(false);
  });
});
