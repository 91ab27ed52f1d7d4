import { describe, expect, it } from "vitest";
import { admin, adminKey } from "../admin-harness";
import { callWith, insertNotification, WITHOUT_EMAIL, type NotificationFixture } from "../admin/notifications.fixtures";
import { page, post, signedIn, type Browser } from "../dashboard-harness";
import { ORIGIN, seedCompany } from "../harness";
import { fieldError, fieldValue } from "./rewards.fixtures";
import { option } from "./tiers.fixtures";

// Messages to members in the dashboard: the Programme page's section (as PATCH
// /admin/v1/notifications/settings) and Activity, Messages (as GET /admin/v1/notifications), with
// the dead messages counted at the top; a service that cannot send email says so on both.

const PROGRAMME = "/dashboard/programme";
const PATH = "/dashboard/activity/messages";
const NOT_SET_UP = "Email sending is not set up for this service: no messages are sent.";
const START = Date.UTC(2026, 10, 1, 9); // 1 Nov 2026, 09:00 UTC
const HOUR = 3_600_000;

const kindBox = (kind: string, label: string, checked: boolean) =>
  `<input id="msg-${kind}" type="checkbox" name="${kind}" value="true"${checked ? ' checked=""' : ""} aria-describedby="msg-${kind}-hint"/><label for="msg-${kind}">${label}</label>`;
const TICKED = ["false", "true"];
const UNTICKED = ["false"];
const allOn = { sender_name: "", welcome: TICKED, reward_ready: TICKED, points_expiring: TICKED, card_link: TICKED };

async function setup() {
  const company = await seedCompany();
  return { company, browser: await signedIn(company.id), key: await adminKey(company.id) };
}

/** A dashboard page from a Worker that cannot send email. */
async function pageWithoutEmail(browser: Browser, path: string) {
  const res = await callWith(WITHOUT_EMAIL, `${ORIGIN}${path}`, { redirect: "manual", headers: { cookie: browser.cookie } });
  return { status: res.status, html: await res.text() };
}

describe("Programme, Messages to members", () => {
  it("shows the four kinds ticked, the sender name empty (the company's name) and a link to the list", async () => {
    const { company, browser } = await setup();
    const { status, html } = await page(browser, PROGRAMME);
    expect(status).toBe(200);
    expect(html).toContain('<a href="#messages">Messages to members</a>');
    expect(html).toContain('<h2 id="messages-title">Messages to members</h2>');
    expect(html).toContain('<form method="post" action="/dashboard/programme/messages" class="stack" aria-label="Messages to members">');
    expect(html).toContain(kindBox("welcome", "Welcome", true));
    expect(html).toContain(kindBox("reward_ready", "Reward ready", true));
    expect(html).toContain(kindBox("points_expiring", "Points expiring", true));
    expect(html).toContain(kindBox("card_link", "Card link", true));
    expect(fieldValue(html, "sender_name", "msg")).toBe("");
    expect(html).toContain(`leave it empty for your company&#39;s name: Test Café ${company.id}.`);
    expect(html).toContain(`<span data-figure="messages-sender">Test Café ${company.id}</span>`);
    expect(html).toContain('<a href="/dashboard/activity/messages">Activity, Messages</a>');
    expect(html).not.toContain(NOT_SET_UP);
  });

  it("saves the switches and the sender name, as the admin API reads them; an empty name goes back to the company's", async () => {
    const { company, browser, key } = await setup();
    const res = await post(browser, `${PROGRAMME}/messages`, { ...allOn, sender_name: " Demo Café ", welcome: UNTICKED, card_link: UNTICKED });
    expect(res.status).toBe(303);
    expect(res.location).toBe(`${PROGRAMME}?done=messages-saved`);
    expect((await admin(key, "GET", "/notifications/settings")).body).toMatchObject({
      sender_name: "Demo Café",
      effective_sender_name: "Demo Café",
      welcome: false,
      reward_ready: true,
      points_expiring: true,
      card_link: false,
    });

    const after = await page(browser, res.location!);
    expect(after.html).toContain("The messages to members were saved: they apply from now on, also to messages not sent yet.");
    expect(after.html).toContain(kindBox("welcome", "Welcome", false));
    expect(after.html).toContain(kindBox("card_link", "Card link", false));
    expect(after.html).toContain(kindBox("reward_ready", "Reward ready", true));
    expect(fieldValue(after.html, "sender_name", "msg")).toBe("Demo Café");

    await post(browser, `${PROGRAMME}/messages`, allOn);
    expect((await admin(key, "GET", "/notifications/settings")).body).toMatchObject({
      sender_name: null,
      effective_sender_name: `Test Café ${company.id}`,
      welcome: true,
      card_link: true,
    });
  });

  it("refuses a sender name over 100 characters beside the field, keeping what was typed, and saves nothing", async () => {
    const { company, browser, key } = await setup();
    const long = "x".repeat(101);
    const res = await post(browser, `${PROGRAMME}/messages`, { ...allOn, sender_name: long, reward_ready: UNTICKED });
    expect(res.status).toBe(400);
    expect(fieldError(res.html, "sender_name", "msg")).toBe("Too big: expected string to have <=100 characters");
    expect(fieldValue(res.html, "sender_name", "msg")).toBe(long);
    expect(res.html).toContain(kindBox("reward_ready", "Reward ready", false));
    expect(res.html).toContain("One field needs a change: see below. Nothing was saved.");
    expect((await admin(key, "GET", "/notifications/settings")).body).toMatchObject({ sender_name: null, effective_sender_name: `Test Café ${company.id}`, reward_ready: true, updated_at: null });
  });

  it("refuses a forged post with 403 and saves nothing", async () => {
    const { browser, key } = await setup();
    for (const forged of [{ csrf: null }, { csrf: "x" }, { origin: "https://evil.example", secFetchSite: "cross-site" }]) {
      const res = await post(browser, `${PROGRAMME}/messages`, { ...allOn, welcome: UNTICKED }, forged);
      expect(res.status).toBe(403);
    }
    expect((await admin(key, "GET", "/notifications/settings")).body).toMatchObject({ welcome: true, updated_at: null });
    expect((await post(null, `${PROGRAMME}/messages`, allOn)).status).toBe(303);
  });

  it("says so where no email can be sent; the form is still there", async () => {
    const { browser } = await setup();
    const { status, html } = await pageWithoutEmail(browser, PROGRAMME);
    expect(status).toBe(200);
    expect(html).toContain(`<p class="notice warn" data-figure="messages-not-set-up">${NOT_SET_UP}</p>`);
    expect(html).toContain(kindBox("welcome", "Welcome", true));
  });
});

/** The message rows of the page, in its order. */
const rowsOf = (html: string) =>
  [
    ...html.matchAll(
      /<tr data-message="([^"]+)"><td>([^<]*)<\/td><td><a href="([^"]+)">([^<]+)<\/a><\/td><td>([^<]+)<\/td><td><span class="badge (\w+)">([^<]+)<\/span>(?:<span class="muted"> ([^<]+)<\/span>)?<\/td><td class="num">([^<]+)<\/td><td>([^<]*)<\/td><\/tr>/g,
    ),
  ].map((m) => ({ id: m[1]!, when: m[2]!, href: m[3]!, name: m[4]!, kind: m[5]!, status: m[6]!, label: m[7]!, outcome: m[8] ?? null, tries: m[9]!, sent: m[10]! }));

const cursorOf = (html: string, label: "Older" | "Newest") => {
  const href = new RegExp(`<a href="([^"]+)">${label}</a>`).exec(html)?.[1];
  return href?.replace(/&amp;/g, "&") ?? null;
};

async function withMessages() {
  const { company, browser } = await setup();
  const ada = await company.addMember({ firstName: "Ada", lastName: "Lovelace", email: "ada@example.com" });
  const bob = await company.addMember({ firstName: "Bob", email: "bob@example.com" });
  const id = (n: number) => `ntf_${company.id}_${n}`;
  const add = (n: number, rest: Omit<NotificationFixture, "id" | "companyId">) => insertNotification({ id: id(n), companyId: company.id, ...rest });
  await add(1, { memberId: ada, kind: "welcome", occasion: "joined", status: "sent", attempts: 1, createdAt: START, sentAt: START + 60_000 });
  await add(2, { memberId: bob, kind: "welcome", occasion: "joined", status: "skipped", outcome: "no_consent", attempts: 1, createdAt: START + HOUR });
  await add(3, { memberId: ada, kind: "reward_ready", occasion: "2026-11-02", status: "dead", outcome: "retries_exhausted", attempts: 6, createdAt: START + 25 * HOUR });
  await add(4, { memberId: bob, kind: "points_expiring", occasion: "2026-12-03:30d", status: "failed", outcome: "TimeoutError", attempts: 2, createdAt: START + 49 * HOUR });
  await add(5, { memberId: bob, kind: "card_link", occasion: "every-10-min:1", status: "dead", outcome: "retries_exhausted", attempts: 6, createdAt: START + 50 * HOUR });
  return { company, browser, ada, bob, id };
}

describe("Activity, Messages", () => {
  it("lists the company's messages newest first, with status, why, tries and when sent; the dead ones counted at the top", async () => {
    const { browser, ada, bob, id } = await withMessages();
    const other = await seedCompany();
    const secret = await other.addMember({ firstName: "Secret", email: "secret@example.com" });
    await insertNotification({ id: `ntf_${other.id}_1`, companyId: other.id, memberId: secret, kind: "welcome", occasion: "joined", status: "dead", createdAt: START });

    const { status, html } = await page(browser, PATH);

    expect(status).toBe(200);
    expect(html).toContain("<h1>Messages to members</h1>");
    expect(html).toContain(
      `<p class="notice bad" role="alert" data-figure="messages-dead">2 messages could not be sent after every try. <a href="${PATH}?status=dead">Show them</a></p>`,
    );
    const adaHref = `/dashboard/members/${ada}`;
    const bobHref = `/dashboard/members/${bob}`;
    expect(rowsOf(html)).toEqual([
      { id: id(5), when: "3 Nov 2026, 11:00 UTC", href: bobHref, name: "Bob", kind: "Card link", status: "dead", label: "Not sent: gave up", outcome: "every try failed", tries: "6", sent: "" },
      { id: id(4), when: "3 Nov 2026, 10:00 UTC", href: bobHref, name: "Bob", kind: "Points expiring", status: "failed", label: "Failed, trying again", outcome: "sending failed (TimeoutError)", tries: "2", sent: "" },
      { id: id(3), when: "2 Nov 2026, 10:00 UTC", href: adaHref, name: "Ada Lovelace", kind: "Reward ready", status: "dead", label: "Not sent: gave up", outcome: "every try failed", tries: "6", sent: "" },
      { id: id(2), when: "1 Nov 2026, 10:00 UTC", href: bobHref, name: "Bob", kind: "Welcome", status: "skipped", label: "Not sent", outcome: "the member has not agreed to emails", tries: "1", sent: "" },
      { id: id(1), when: "1 Nov 2026, 09:00 UTC", href: adaHref, name: "Ada Lovelace", kind: "Welcome", status: "sent", label: "Sent", outcome: null, tries: "1", sent: "1 Nov 2026, 09:01 UTC" },
    ]);
    expect(html).not.toContain("Secret");
    expect(html).toContain(option("", "Every status", true));
    expect(html).toContain(option("", "Every kind", true));
    expect(html).toContain('<a href="/dashboard/programme#messages">Programme, Messages to members</a>');
    expect(html).not.toContain(NOT_SET_UP);
    expect(cursorOf(html, "Older")).toBeNull();
  });

  it("the dead ones are a filter away; kinds narrow too; nothing matching says so", async () => {
    const { browser, id } = await withMessages();
    const dead = await page(browser, `${PATH}?status=dead`);
    expect(rowsOf(dead.html).map((r) => r.id)).toEqual([id(5), id(3)]);
    expect(dead.html).toContain(option("dead", "Not sent: gave up", true));
    // The warning stays, without a link to the page it is on.
    expect(dead.html).toContain('<p class="notice bad" role="alert" data-figure="messages-dead">2 messages could not be sent after every try. </p>');

    const welcomes = await page(browser, `${PATH}?kind=welcome`);
    expect(rowsOf(welcomes.html).map((r) => r.id)).toEqual([id(2), id(1)]);
    expect(welcomes.html).toContain(option("welcome", "Welcome", true));
    expect(welcomes.html).toContain(`<a href="${PATH}">Clear the filters</a>`);

    const none = await page(browser, `${PATH}?status=sending&kind=welcome`);
    expect(rowsOf(none.html)).toEqual([]);
    expect(none.html).toContain("No message matches these filters.");
  });

  it("without dead messages there is no warning; without any, says none was sent", async () => {
    const { browser } = await setup();
    const { html } = await page(browser, PATH);
    expect(html).not.toContain('data-figure="messages-dead"');
    expect(html).toContain("No message has been sent yet.");
  });

  it("one dead message is worded as one", async () => {
    const { company, browser } = await setup();
    const ada = await company.addMember({ firstName: "Ada", email: "ada@example.com" });
    await insertNotification({ id: `ntf_${company.id}_1`, companyId: company.id, memberId: ada, kind: "welcome", occasion: "joined", status: "dead", createdAt: START });
    const { html } = await page(browser, PATH);
    expect(html).toContain(`One message could not be sent after every try. <a href="${PATH}?status=dead">Show it</a>`);
  });

  it("pages 25 at a time, keeping the filters; Newest goes back to the first page", async () => {
    const { company, browser } = await setup();
    const ada = await company.addMember({ firstName: "Ada", email: "ada@example.com" });
    for (let n = 0; n < 28; n++) {
      await insertNotification({ id: `ntf_${company.id}_${String(n).padStart(2, "0")}`, companyId: company.id, memberId: ada, kind: "reward_ready", occasion: `day-${n}`, status: "sent", createdAt: START + n * HOUR });
    }
    await insertNotification({ id: `ntf_${company.id}_w`, companyId: company.id, memberId: ada, kind: "welcome", occasion: "joined", status: "sent", createdAt: START + 30 * HOUR });
    const first = await page(browser, `${PATH}?kind=reward_ready`);
    expect(rowsOf(first.html)).toHaveLength(25);
    const older = cursorOf(first.html, "Older")!;
    expect(older).toMatch(/^\/dashboard\/activity\/messages\?kind=reward_ready&cursor=/);
    expect(cursorOf(first.html, "Newest")).toBeNull();

    const second = await page(browser, older);
    expect(second.status).toBe(200);
    const rows = rowsOf(second.html);
    expect(rows.map((r) => r.id)).toEqual([`ntf_${company.id}_02`, `ntf_${company.id}_01`, `ntf_${company.id}_00`]);
    expect(cursorOf(second.html, "Older")).toBeNull();
    expect(cursorOf(second.html, "Newest")).toBe(`${PATH}?kind=reward_ready`);
  });

  it("refuses a status or kind it does not know, and a page link it never gave out, with 400", async () => {
    const { browser } = await setup();
    const status = await page(browser, `${PATH}?status=lost&kind=birthday`);
    expect(status.status).toBe(400);
    expect(status.html).toContain('<span class="error" id="f-status-error">Choose one of the statuses in the list</span>');
    expect(status.html).toContain('<span class="error" id="f-kind-error">Choose one of the kinds in the list</span>');
    const cursor = await page(browser, `${PATH}?cursor=not-ours`);
    expect(cursor.status).toBe(400);
    expect(cursor.html).toContain("This page link no longer works: the list starts again from the newest.");
    expect(rowsOf(cursor.html)).toEqual([]);
  });

  it("is linked from the Activity page, needs a session, and says so where no email can be sent", async () => {
    const { browser } = await setup();
    expect((await page(browser, "/dashboard/activity")).html).toContain(`<a href="${PATH}">Messages to members</a>`);
    expect((await page(null, PATH)).status).toBe(303);
    const { status, html } = await pageWithoutEmail(browser, PATH);
    expect(status).toBe(200);
    expect(html).toContain(`<p class="notice warn" data-figure="messages-not-set-up">${NOT_SET_UP}</p>`);
  });
});
