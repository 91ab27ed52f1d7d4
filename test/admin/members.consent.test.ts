import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { members } from "../../src/storage/schema";
import { db, ORIGIN, seedCompany } from "../harness";
import { admin, adminKey, requestId } from "../admin-harness";
import { callWith, notificationRows, WITHOUT_EMAIL } from "./notifications.fixtures";

// A member's email consent through the admin API: given on POST /members and PATCH, shown as
// email_consent and email_consent_at (moved only when the consent changes); a member created with an
// email and consent is sent a welcome (a notifications row), one without none.

const iso = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
/** A welcome the queue may already have taken further. */
const welcomeStatus = expect.stringMatching(/^(queued|sending|sent)$/);

async function setup() {
  const company = await seedCompany();
  return { company, key: await adminKey(company.id) };
}

async function storedConsent(memberId: string) {
  const [row] = await db.select({ consent: members.emailConsent, at: members.emailConsentAt }).from(members).where(eq(members.id, memberId));
  return row!;
}

describe("admin members: email consent on enrolment", () => {
  it("with an email and consent: email_consent_at is now, and a welcome is recorded", async () => {
    const { company, key } = await setup();
    const before = Date.now();

    const res = await admin(key, "POST", "/members", { first_name: "Ada", email: "ada@example.com", email_consent: true });

    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ first_name: "Ada", email: "ada@example.com", email_consent: true, email_consent_at: iso });
    expect(res.body.email_consent_at).toBe(res.body.created_at);
    const stored = await storedConsent(res.body.id);
    expect(stored.consent).toBe(true);
    expect(stored.at).toBeGreaterThanOrEqual(before);
    expect(stored.at).toBeLessThanOrEqual(Date.now());
    expect((await admin(key, "GET", `/members/${res.body.id}`)).body).toEqual(res.body);
    expect(await notificationRows(company.id)).toEqual([{ member_id: res.body.id, kind: "welcome", occasion: "joined", status: welcomeStatus }]);
  });

  it("without consent (not sent, or false): email_consent false, no time, no welcome", async () => {
    const { company, key } = await setup();
    const unsaid = await admin(key, "POST", "/members", { first_name: "Bob", email: "bob@example.com" });
    const refused = await admin(key, "POST", "/members", { first_name: "Cy", email: "cy@example.com", email_consent: false });

    for (const res of [unsaid, refused]) {
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ email_consent: false, email_consent_at: null });
      expect(await storedConsent(res.body.id)).toEqual({ consent: false, at: null });
    }
    expect(await notificationRows(company.id)).toEqual([]);
  });

  it("consent without an email, or with welcomes turned off: no welcome", async () => {
    const { company, key } = await setup();
    const phoneOnly = await admin(key, "POST", "/members", { first_name: "Dee", phone: "0400 000 010", email_consent: true });
    expect(phoneOnly.body).toMatchObject({ email: null, email_consent: true, email_consent_at: iso });

    await admin(key, "PATCH", "/notifications/settings", { welcome: false });
    const off = await admin(key, "POST", "/members", { first_name: "Eve", email: "eve@example.com", email_consent: true });
    expect(off.status).toBe(201);
    expect(off.body.email_consent).toBe(true);

    expect(await notificationRows(company.id)).toEqual([]);
  });

  it("where no email can be sent: the member is enrolled with the consent, and no message is recorded", async () => {
    const { company, key } = await setup();
    const res = await callWith(WITHOUT_EMAIL, `${ORIGIN}/admin/v1/members`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ first_name: "Fay", email: "fay@example.com", email_consent: true }),
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ email_consent: true, email_consent_at: iso });
    expect(await notificationRows(company.id)).toEqual([]);
  });

  it.each([
    ["POST", "a string", { first_name: "Gus", email: "gus@example.com", email_consent: "yes" }, "email_consent: Invalid input: expected boolean, received string"],
    ["POST", "null", { first_name: "Gus", email: "gus@example.com", email_consent: null }, "email_consent: Invalid input: expected boolean, received null"],
    ["PATCH", "a number", { email_consent: 1 }, "email_consent: Invalid input: expected boolean, received number"],
  ])("%s with email_consent as %s: 400, nothing changed", async (method, _name, body, message) => {
    const { company, key } = await setup();
    const member = await company.addMember({ firstName: "Hal", email: "hal@example.com" });
    const res = await admin(key, method, method === "POST" ? "/members" : `/members/${member}`, body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: "invalid_request", message, request_id: expect.stringMatching(requestId) } });
    expect(await storedConsent(member)).toEqual({ consent: false, at: null });
    expect((await admin(key, "GET", "/members")).body.data).toHaveLength(1);
    expect(await notificationRows(company.id)).toEqual([]);
  });
});

describe("admin members: changing the consent", () => {
  it("email_consent_at moves only when the consent changes; a consent given later sends no welcome", async () => {
    const { company, key } = await setup();
    const created = await admin(key, "POST", "/members", { first_name: "Ida", email: "ida@example.com" });
    const id = created.body.id as string;

    const given = await admin(key, "PATCH", `/members/${id}`, { email_consent: true });
    expect(given.status).toBe(200);
    expect(given.body).toMatchObject({ email_consent: true, email_consent_at: iso });
    const givenAt = (await storedConsent(id)).at!;
    expect(givenAt).toBeGreaterThan(0);

    // The same consent again, and a change of another field: the time stays.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const again = await admin(key, "PATCH", `/members/${id}`, { email_consent: true, phone: "0400 000 011" });
    expect(again.body).toMatchObject({ email_consent: true, email_consent_at: given.body.email_consent_at, phone: "0400 000 011" });
    const renamed = await admin(key, "PATCH", `/members/${id}`, { first_name: "Ida Mae" });
    expect(renamed.body).toMatchObject({ email_consent: true, email_consent_at: given.body.email_consent_at });
    expect(await storedConsent(id)).toEqual({ consent: true, at: givenAt });

    // Withdrawn: the time is when it was withdrawn.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const withdrawn = await admin(key, "PATCH", `/members/${id}`, { email_consent: false });
    expect(withdrawn.body).toMatchObject({ email_consent: false, email_consent_at: iso });
    const withdrawnAt = (await storedConsent(id)).at!;
    expect(withdrawnAt).toBeGreaterThan(givenAt);
    expect(withdrawn.body.email_consent_at).toBe(new Date(withdrawnAt).toISOString());

    expect(await notificationRows(company.id)).toEqual([]);
  });

  it("a key changes its own company's members only", async () => {
    const mine = await setup();
    const theirs = await setup();
    const member = await theirs.company.addMember({ firstName: "Jo", email: "jo@example.com" });
    const res = await admin(mine.key, "PATCH", `/members/${member}`, { email_consent: true });
    expect(res.status).toBe(404);
    expect(await storedConsent(member)).toEqual({ consent: false, at: null });
  });
});

describe("a new email loses the consent of the old one", () => {
  it("PATCH with a new email and no email_consent clears it; with email_consent: true it stays", async () => {
    const company = await seedCompany();
    const key = await adminKey(company.id);
    const created = await admin(key, "POST", "/members", { first_name: "Ada", email: "ada.old@example.com", email_consent: true });
    const id = created.body.id as string;
    const moved = await admin(key, "PATCH", `/members/${id}`, { email: "ada.new@example.com" });
    expect(moved.status).toBe(200);
    expect(moved.body.email_consent).toBe(false);
    const agreed = await admin(key, "PATCH", `/members/${id}`, { email: "ada.newer@example.com", email_consent: true });
    expect(agreed.body.email_consent).toBe(true);
    const phone = await admin(key, "PATCH", `/members/${id}`, { phone: "0400 000 001" });
    expect(phone.body.email_consent).toBe(true);
  });
});
