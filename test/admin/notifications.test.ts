import { describe, expect, it } from "vitest";
import { seedCompany, ORIGIN } from "../harness";
import { admin, adminKey, requestId } from "../admin-harness";
import { callWith, insertNotification, WITHOUT_EMAIL } from "./notifications.fixtures";

// GET/PATCH /notifications/settings (which messages are sent, the name they come from, whether this
// service can send email at all) and GET /notifications (the company's messages, newest first).

const iso = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
const START = Date.UTC(2026, 10, 1, 9); // 1 Nov 2026, 09:00 UTC
const HOUR = 3_600_000;

async function setup() {
  const company = await seedCompany();
  return { company, key: await adminKey(company.id) };
}

const defaults = (companyId: string) => ({
  sender_name: null,
  effective_sender_name: `Test Café ${companyId}`,
  welcome: true,
  reward_ready: true,
  points_expiring: true,
  card_link: true,
  sending_configured: true,
  updated_at: null,
});

const invalid = (message: string) => ({ error: { code: "invalid_request", message, request_id: expect.stringMatching(requestId) } });

describe("GET /notifications/settings", () => {
  it("a company that never chose: every kind on, from the company's name; email can be sent (the tests' outbox)", async () => {
    const { company, key } = await setup();
    const res = await admin(key, "GET", "/notifications/settings");
    expect(res.status).toBe(200);
    expect(res.body).toEqual(defaults(company.id));
  });

  it("says sending_configured false where no email can be sent (deployed without SEND_EMAIL and EMAIL_FROM)", async () => {
    const { company, key } = await setup();
    const res = await callWith(WITHOUT_EMAIL, `${ORIGIN}/admin/v1/notifications/settings`, { headers: { authorization: `Bearer ${key}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ...defaults(company.id), sending_configured: false });
  });

  it.each([
    ["GET", "/notifications/settings"],
    ["PATCH", "/notifications/settings"],
    ["GET", "/notifications"],
  ])("%s %s without a key: 401", async (method, path) => {
    const res = await admin(null, method, path, method === "PATCH" ? { welcome: false } : undefined);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      error: { code: "unauthorized", message: "Send an API key as Authorization: Bearer <key>", request_id: expect.stringMatching(requestId) },
    });
  });
});

describe("PATCH /notifications/settings", () => {
  it("changes only what is sent (any key); the answer and a later read agree; null goes back to the company's name", async () => {
    const { company, key } = await setup();

    const res = await admin(key, "PATCH", "/notifications/settings", { sender_name: "  Demo Café  ", points_expiring: false });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...defaults(company.id), sender_name: "Demo Café", effective_sender_name: "Demo Café", points_expiring: false, updated_at: iso });
    expect((await admin(key, "GET", "/notifications/settings")).body).toEqual(res.body);

    const more = await admin(key, "PATCH", "/notifications/settings", { welcome: false, card_link: false });
    expect(more.body).toEqual({ ...res.body, welcome: false, card_link: false, updated_at: iso });

    const back = await admin(key, "PATCH", "/notifications/settings", { sender_name: null, points_expiring: true });
    expect(back.status).toBe(200);
    expect(back.body).toEqual({ ...defaults(company.id), welcome: false, card_link: false, updated_at: iso });
  });

  it("changes its own company's settings only", async () => {
    const mine = await setup();
    const theirs = await setup();
    await admin(mine.key, "PATCH", "/notifications/settings", { reward_ready: false, sender_name: "Mine" });
    expect((await admin(theirs.key, "GET", "/notifications/settings")).body).toEqual(defaults(theirs.company.id));
  });

  it.each([
    ["nothing", {}, "Send at least one field to change"],
    ["an unknown setting", { birthday: true }, "birthday: Not a message setting"],
    ["an empty sender name", { sender_name: "  " }, "sender_name: Too small: expected string to have >=1 characters"],
    ["a long sender name", { sender_name: "x".repeat(101) }, "sender_name: Too big: expected string to have <=100 characters"],
    ["a sender name that is a number", { sender_name: 5 }, "sender_name: Invalid input: expected string, received number"],
    ["a sender name with a line break", { sender_name: "Café\r\nBcc: x@evil.example" }, "sender_name: Use letters, numbers, spaces and punctuation only"],
    ["a sender name that turns its text around", { sender_name: "Café \u202Eevil" }, "sender_name: Use letters, numbers, spaces and punctuation only"],
    ["a switch as a string", { welcome: "yes" }, "welcome: Invalid input: expected boolean, received string"],
    ["a switch as null", { reward_ready: null }, "reward_ready: Invalid input: expected boolean, received null"],
  ])("%s: 400, path: message, nothing changed", async (_name, body, message) => {
    const { company, key } = await setup();
    const res = await admin(key, "PATCH", "/notifications/settings", body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(invalid(message));
    expect((await admin(key, "GET", "/notifications/settings")).body).toEqual(defaults(company.id));
  });
});

async function withMessages() {
  const { company, key } = await setup();
  const ada = await company.addMember({ firstName: "Ada", lastName: "Lovelace", email: "ada@example.com" });
  const bob = await company.addMember({ firstName: "Bob", email: "bob@example.com" });
  const id = (n: number) => `ntf_${company.id}_${n}`;
  await insertNotification({ id: id(1), companyId: company.id, memberId: ada, kind: "welcome", occasion: "joined", status: "sent", attempts: 1, createdAt: START, updatedAt: START + 1000, sentAt: START + 1000 });
  await insertNotification({ id: id(2), companyId: company.id, memberId: bob, kind: "welcome", occasion: "joined", status: "skipped", outcome: "no_consent", attempts: 1, createdAt: START + HOUR });
  await insertNotification({ id: id(3), companyId: company.id, memberId: ada, kind: "reward_ready", occasion: "2026-11-02", status: "dead", outcome: "retries_exhausted", attempts: 6, createdAt: START + 25 * HOUR, updatedAt: START + 26 * HOUR });
  await insertNotification({ id: id(4), companyId: company.id, memberId: bob, kind: "points_expiring", occasion: "2026-12-03:30d", status: "queued", createdAt: START + 49 * HOUR });
  // Another company's message is never listed.
  const other = await seedCompany();
  const secret = await other.addMember({ firstName: "Secret", email: "secret@example.com" });
  await insertNotification({ id: `ntf_${other.id}_1`, companyId: other.id, memberId: secret, kind: "welcome", occasion: "joined", status: "dead", createdAt: START + 50 * HOUR });
  return { company, key, ada, bob, id };
}

describe("GET /notifications", () => {
  it("lists the company's messages newest first, each with its member's name, status, tries and outcome", async () => {
    const { key, ada, bob, id } = await withMessages();

    const res = await admin(key, "GET", "/notifications");

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      data: [
        {
          id: id(4),
          member_id: bob,
          member_name: "Bob",
          kind: "points_expiring",
          occasion: "2026-12-03:30d",
          status: "queued",
          attempts: 0,
          outcome: null,
          created_at: "2026-11-03T10:00:00.000Z",
          updated_at: "2026-11-03T10:00:00.000Z",
          sent_at: null,
        },
        {
          id: id(3),
          member_id: ada,
          member_name: "Ada Lovelace",
          kind: "reward_ready",
          occasion: "2026-11-02",
          status: "dead",
          attempts: 6,
          outcome: "retries_exhausted",
          created_at: "2026-11-02T10:00:00.000Z",
          updated_at: "2026-11-02T11:00:00.000Z",
          sent_at: null,
        },
        {
          id: id(2),
          member_id: bob,
          member_name: "Bob",
          kind: "welcome",
          occasion: "joined",
          status: "skipped",
          attempts: 1,
          outcome: "no_consent",
          created_at: "2026-11-01T10:00:00.000Z",
          updated_at: "2026-11-01T10:00:00.000Z",
          sent_at: null,
        },
        {
          id: id(1),
          member_id: ada,
          member_name: "Ada Lovelace",
          kind: "welcome",
          occasion: "joined",
          status: "sent",
          attempts: 1,
          outcome: null,
          created_at: "2026-11-01T09:00:00.000Z",
          updated_at: "2026-11-01T09:00:01.000Z",
          sent_at: "2026-11-01T09:00:01.000Z",
        },
      ],
      next_cursor: null,
    });
  });

  it("narrows by status (the dead ones), kind, member and the day recorded", async () => {
    const { key, ada, bob, id } = await withMessages();
    const ids = async (query: string) => {
      const res = await admin(key, "GET", `/notifications?${query}`);
      expect(res.status, query).toBe(200);
      return res.body.data.map((n: { id: string }) => n.id);
    };
    expect(await ids("status=dead")).toEqual([id(3)]);
    expect(await ids("kind=welcome")).toEqual([id(2), id(1)]);
    expect(await ids(`member_id=${ada}`)).toEqual([id(3), id(1)]);
    expect(await ids(`member_id=${bob}&kind=welcome`)).toEqual([id(2)]);
    expect(await ids("from=2026-11-02&to=2026-11-02")).toEqual([id(3)]);
    expect(await ids("to=2026-11-01")).toEqual([id(2), id(1)]);
    expect(await ids("status=sending")).toEqual([]);
  });

  it("pages with the cursor, keeping the filters", async () => {
    const { key, id } = await withMessages();
    const first = await admin(key, "GET", "/notifications?limit=3");
    expect(first.body.data.map((n: { id: string }) => n.id)).toEqual([id(4), id(3), id(2)]);
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const second = await admin(key, "GET", `/notifications?limit=3&cursor=${encodeURIComponent(first.body.next_cursor)}`);
    expect(second.body).toEqual({ data: [expect.objectContaining({ id: id(1) })], next_cursor: null });

    const welcomes = await admin(key, "GET", "/notifications?kind=welcome&limit=1");
    expect(welcomes.body.data.map((n: { id: string }) => n.id)).toEqual([id(2)]);
    const next = await admin(key, "GET", `/notifications?kind=welcome&limit=1&cursor=${encodeURIComponent(welcomes.body.next_cursor)}`);
    expect(next.body.data.map((n: { id: string }) => n.id)).toEqual([id(1)]);
    // The last welcome: one more page would be empty, so none is offered.
    expect(next.body.next_cursor).toBeNull();
  });

  it.each([
    ["a status it does not know", "status=lost", 'status: Invalid option: expected one of "queued"|"sending"|"sent"|"failed"|"dead"|"skipped"'],
    ["a kind it does not know", "kind=birthday", 'kind: Invalid option: expected one of "welcome"|"reward_ready"|"points_expiring"|"card_link"'],
    ["a cursor it never gave out", "cursor=not-ours", "cursor: Not a cursor this API gave out"],
    ["to before from", "from=2026-11-03&to=2026-11-01", "to: Must not be before from"],
    ["a day that does not exist", "from=2026-02-30", "from: Expected an ISO date (2024-05-01) or date-time (2024-05-01T09:30:00Z)"],
    ["a limit over 200", "limit=201", "limit: Too big: expected number to be <=200"],
  ])("%s: 400", async (_name, query, message) => {
    const { key } = await setup();
    const res = await admin(key, "GET", `/notifications?${query}`);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(invalid(message));
  });
});
