import { describe, expect, it } from "vitest";
import { seedCompany } from "../harness";
import { admin, adminKey, requestId } from "../admin-harness";

describe("admin API authentication", () => {
  it.each([
    ["no key", null, "Send an API key as Authorization: Bearer <key>"],
    ["an empty bearer", "", "Send an API key as Authorization: Bearer <key>"],
    ["a wrong key", "lk_not-a-real-key", "This API key is not valid or has been revoked"],
  ])("%s: 401 in the envelope", async (_name, key, message) => {
    const res = await admin(key, "GET", "/api-keys");
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: { code: "unauthorized", message, request_id: expect.stringMatching(requestId) } });
    expect(res.body.error.request_id).toBe(res.res.headers.get("x-request-id"));
  });

  it("a revoked key is refused", async () => {
    const company = await seedCompany();
    const key = await adminKey(company.id);
    const other = await admin(key, "POST", "/api-keys", { name: "Other" });
    await admin(key, "DELETE", `/api-keys/${other.body.id}`);
    expect((await admin(other.body.key, "GET", "/api-keys")).status).toBe(401);
  });

  it("another company's key id is not found, and stays unrevoked", async () => {
    const mine = await seedCompany();
    const theirs = await seedCompany();
    const myKey = await adminKey(mine.id);
    const theirKey = await adminKey(theirs.id);
    const theirKeys = await admin(theirKey, "GET", "/api-keys");
    const theirId = theirKeys.body.data[0].id;

    const res = await admin(myKey, "DELETE", `/api-keys/${theirId}`);

    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: "not_found", message: "This company has no API key with that id" });
    expect((await admin(theirKey, "GET", "/api-keys")).status).toBe(200);
  });

  it("a company's key lists only its own keys", async () => {
    const mine = await seedCompany();
    const theirs = await seedCompany();
    const myKey = await adminKey(mine.id, "Mine");
    await adminKey(theirs.id, "Theirs");
    const res = await admin(myKey, "GET", "/api-keys");
    expect(res.body.data.map((k: { name: string }) => k.name)).toEqual(["Mine"]);
  });
});

describe("admin API errors", () => {
  it.each([
    ["a missing name", {}, "name: Invalid input: expected string, received undefined"],
    ["an empty name", { name: "  " }, "name: Too small: expected string to have >=1 characters"],
    ["a name of the wrong type", { name: 5 }, "name: Invalid input: expected string, received number"],
  ])("%s: one line, path: message", async (_name, body, message) => {
    const company = await seedCompany();
    const key = await adminKey(company.id);
    const res = await admin(key, "POST", "/api-keys", body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: "invalid_request", message, request_id: expect.stringMatching(requestId) } });
  });

  it("malformed JSON", async () => {
    const company = await seedCompany();
    const key = await adminKey(company.id);
    const { getJson, ORIGIN } = await import("../harness");
    const res = await getJson(`${ORIGIN}/admin/v1/api-keys`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: "{not json",
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("invalid_request");
    expect(res.body.error.message).not.toMatch(/SyntaxError|at /);
  });

  it("an unknown admin route", async () => {
    const company = await seedCompany();
    const key = await adminKey(company.id);
    const res = await admin(key, "GET", "/nothing-here");
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
  });
});
