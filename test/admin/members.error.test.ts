import { describe, expect, it } from "vitest";
import { getJson, ORIGIN, seedCompany } from "../harness";
import { admin, adminKey, requestId } from "../admin-harness";

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16]);

const envelope = (code: string, message: string) => ({ error: { code, message, request_id: expect.stringMatching(requestId) } });

async function setup() {
  const company = await seedCompany();
  const key = await adminKey(company.id);
  const member = await company.addMember({ firstName: "Ann", lastName: "Lee", email: "ann@example.com", cardNumber: "A-1" });
  return { company, key, member };
}

function putIcon(key: string, memberId: string, body: BodyInit, type: string | null) {
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  if (type) headers["content-type"] = type;
  return getJson(`${ORIGIN}/admin/v1/members/${memberId}/icon`, { method: "PUT", headers, body });
}

const routes: [string, string, unknown?][] = [
  ["POST", "/members", { first_name: "X", email: "x@example.com" }],
  ["GET", "/members"],
  ["GET", "/members/mem_x"],
  ["PATCH", "/members/mem_x", { first_name: "Y" }],
  ["POST", "/members/mem_x/deactivate"],
  ["POST", "/members/mem_x/reactivate"],
  ["POST", "/members/import", { members: [] }],
  ["PUT", "/members/mem_x/icon"],
  ["DELETE", "/members/mem_x/icon"],
];

describe.each(routes)("%s %s without a valid key", (method, path, body) => {
  it.each([
    ["no key", null, "Send an API key as Authorization: Bearer <key>"],
    ["a wrong key", "lk_not-a-real-key", "This API key is not valid or has been revoked"],
  ])("%s: 401", async (_name, key, message) => {
    const res = await admin(key, method, path, body);
    expect(res.status).toBe(401);
    expect(res.body).toEqual(envelope("unauthorized", message));
  });
});

describe("a member id that is not this company's", () => {
  it.each([
    ["GET", ""],
    ["PATCH", "", { first_name: "Stolen" }],
    ["POST", "/deactivate"],
    ["POST", "/reactivate"],
    ["DELETE", "/icon"],
  ] as [string, string, unknown?][])("%s /members/{id}%s: 404, and their member is untouched", async (method, suffix, body) => {
    const { key } = await setup();
    const theirs = await setup();

    const res = await admin(key, method, `/members/${theirs.member}${suffix}`, body);

    expect(res.status).toBe(404);
    expect(res.body).toEqual(envelope("not_found", "This company has no member with that id"));
    const still = await admin(theirs.key, "GET", `/members/${theirs.member}`);
    expect(still.body).toMatchObject({ first_name: "Ann", status: "active" });
  });

  it("PUT /members/{id}/icon: 404, and no icon is stored for it", async () => {
    const { key } = await setup();
    const theirs = await setup();
    const res = await putIcon(key, theirs.member, PNG, "image/png");
    expect(res.status).toBe(404);
    expect(res.body).toEqual(envelope("not_found", "This company has no member with that id"));
    expect((await getJson(`${ORIGIN}/icons/${theirs.company.id}/${theirs.member}`)).status).toBe(404);
  });
});

describe("invalid bodies: one line, path: message", () => {
  it.each([
    ["no first name", { email: "a@example.com" }, "first_name: Invalid input: expected string, received undefined"],
    ["a blank first name", { first_name: "  ", email: "a@example.com" }, "first_name: Too small: expected string to have >=1 characters"],
    ["no email, phone or card", { first_name: "Ann", last_name: "Lee" }, "A member needs an email, phone or card_number"],
    ["a bad email", { first_name: "Ann", email: "ann@" }, "email: Invalid email address"],
    ["a phone of letters", { first_name: "Ann", phone: "call me" }, "phone: Use digits, spaces and + - ( ) only"],
    ["a phone too short", { first_name: "Ann", phone: "12" }, "phone: A phone number has at least 3 digits"],
    ["a card with symbols", { first_name: "Ann", card_number: "A#1" }, "card_number: Use letters, digits, spaces and - only"],
    ["opening points", { first_name: "Ann", email: "a@example.com", points: 500 }, 'Unrecognized key: "points"'],
    ["a number as a name", { first_name: 5, email: "a@example.com" }, "first_name: Invalid input: expected string, received number"],
  ])("POST /members with %s", async (_name, body, message) => {
    const { key } = await setup();
    const res = await admin(key, "POST", "/members", body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(envelope("invalid_request", message));
  });

  it.each([
    ["nothing to change", {}, "Send at least one field to change"],
    ["a null first name", { first_name: null }, "first_name: Invalid input: expected string, received null"],
    ["a bad email", { email: "nope" }, "email: Invalid email address"],
    ["points", { points: 10 }, 'Unrecognized key: "points"'],
    ["every contact cleared", { email: null, card_number: null }, "A member needs an email, phone or card_number: this change would leave none"],
  ])("PATCH /members/{id} with %s", async (_name, body, message) => {
    const { key, member } = await setup();
    const res = await admin(key, "PATCH", `/members/${member}`, body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(envelope("invalid_request", message));
    expect((await admin(key, "GET", `/members/${member}`)).body).toMatchObject({ email: "ann@example.com", card_number: "A1" });
  });

  it.each([
    ["limit 0", "?limit=0", "limit: Too small: expected number to be >=1"],
    ["limit 201", "?limit=201", "limit: Too big: expected number to be <=200"],
    ["limit not a number", "?limit=ten", "limit: Invalid input: expected number, received NaN"],
    ["a forged cursor", "?cursor=abc", "cursor: Not a cursor from this API"],
  ])("GET /members with %s", async (_name, query, message) => {
    const { key } = await setup();
    const res = await admin(key, "GET", `/members${query}`);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(envelope("invalid_request", message));
  });
});

describe("duplicates within the company", () => {
  it.each([
    ["email (any case)", { first_name: "Bo", email: "ANN@example.com" }, "Another member of this company has this email"],
    ["card number", { first_name: "Bo", card_number: "A-1" }, "Another member of this company has this card_number"],
    ["card number written another way", { first_name: "Bo", card_number: " a 1 " }, "Another member of this company has this card_number"],
  ])("POST /members with an existing %s: 409", async (_name, body, message) => {
    const { key } = await setup();
    const res = await admin(key, "POST", "/members", body);
    expect(res.status).toBe(409);
    expect(res.body).toEqual(envelope("conflict", message));
    expect((await admin(key, "GET", "/members")).body.data).toHaveLength(1);
  });

  it("PATCH to another member's email: 409, nothing changed", async () => {
    const { company, key } = await setup();
    const bo = await company.addMember({ firstName: "Bo", email: "bo@example.com" });
    const res = await admin(key, "PATCH", `/members/${bo}`, { first_name: "Bob", email: "ann@example.com" });
    expect(res.status).toBe(409);
    expect(res.body).toEqual(envelope("conflict", "Another member of this company has this email"));
    expect((await admin(key, "GET", `/members/${bo}`)).body).toMatchObject({ first_name: "Bo", email: "bo@example.com" });
  });

  it("the same email in another company is no conflict", async () => {
    await setup();
    const other = await setup();
    const res = await admin(other.key, "POST", "/members", { first_name: "Ann", email: "ann2@example.com", card_number: "A-2" });
    expect(res.status).toBe(201);
    const mine = await seedCompany();
    const res2 = await admin(await adminKey(mine.id), "POST", "/members", { first_name: "Ann", email: "ann@example.com", card_number: "A-1" });
    expect(res2.status).toBe(201);
  });
});

describe("icon uploads that are refused", () => {
  it.each([
    ["a GIF", new Uint8Array([0x47, 0x49, 0x46, 0x38, 0x39, 0x61]), "image/gif"],
    ["JPEG bytes declared as PNG", JPEG, "image/png"],
    ["PNG bytes declared as JPEG", PNG, "image/jpeg"],
    ["text declared as PNG", new TextEncoder().encode("not an image"), "image/png"],
    ["no content type", PNG, null],
  ])("%s: 415", async (_name, body, type) => {
    const { key, member } = await setup();
    const res = await putIcon(key, member, body, type);
    expect(res.status).toBe(415);
    expect(res.body).toEqual(envelope("unsupported_media_type", "Send a PNG or JPEG image as image/png or image/jpeg"));
    expect((await admin(key, "GET", `/members/${member}`)).body.icon_url).toBeNull();
  });

  it("over 1 MB: 413", async () => {
    const { key, member } = await setup();
    const big = new Uint8Array(1024 * 1024 + 1);
    big.set(PNG);
    const res = await putIcon(key, member, big, "image/png");
    expect(res.status).toBe(413);
    expect(res.body).toEqual(envelope("payload_too_large", "The request body is larger than 1024 KB"));
    expect((await admin(key, "GET", `/members/${member}`)).body.icon_url).toBeNull();
  });

  it("exactly 1 MB is accepted", async () => {
    const { key, member } = await setup();
    const edge = new Uint8Array(1024 * 1024);
    edge.set(PNG);
    expect((await putIcon(key, member, edge, "image/png")).status).toBe(200);
  });
});
