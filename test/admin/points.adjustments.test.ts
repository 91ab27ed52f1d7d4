import { describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { members, pointsLedger } from "../../src/storage/schema";
import { db } from "../harness";
import { admin, requestId } from "../admin-harness";
import { adjustmentRows, balance, cachedCardPoints, checkedSeed } from "./points.fixtures";

const iso = expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
const seed = checkedSeed(1000);

describe("POST /members/{id}/adjustments", () => {
  it("adds points: one ledger row with the reason, the new balance, the POS card refreshed", async () => {
    const { company, memberId, key, keyId } = await seed(1000);

    const res = await admin(key, "POST", `/members/${memberId}/adjustments`, { points: 250, reason: "  Coffee machine broke, sorry " });

    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      ledger_entry: {
        id: expect.stringMatching(/^led_[0-9a-z]{16}$/),
        member_id: memberId,
        delta: 250,
        reason: "adjustment",
        site_id: null,
        order_id: null,
        reward_id: null,
        actor: `api_key:${keyId}`,
        note: "Coffee machine broke, sorry",
        created_at: iso,
      },
      balance: 1250,
    });
    expect(await balance(memberId)).toBe(1250);
    expect(await cachedCardPoints(company.id, memberId)).toBe(1250);
    const rows = await adjustmentRows(company.id, memberId);
    expect(rows.find((r) => r.id === res.body.ledger_entry.id)).toMatchObject({ delta: 250, note: "Coffee machine broke, sorry" });
  });

  it("takes points away, down to exactly zero", async () => {
    const { company, memberId, key } = await seed(1000);

    const first = await admin(key, "POST", `/members/${memberId}/adjustments`, { points: -400, reason: "Duplicate sale" });
    const second = await admin(key, "POST", `/members/${memberId}/adjustments`, { points: -600, reason: "Duplicate sale" });

    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ ledger_entry: { delta: -400, reason: "adjustment", note: "Duplicate sale" }, balance: 600 });
    expect(second.status).toBe(201);
    expect(second.body.balance).toBe(0);
    expect(await balance(memberId)).toBe(0);
    expect(await cachedCardPoints(company.id, memberId)).toBe(0);
  });

  it("refuses to take a balance below zero and changes nothing", async () => {
    const { company, memberId, key } = await seed(320);

    const res = await admin(key, "POST", `/members/${memberId}/adjustments`, { points: -500, reason: "Refunded order" });

    expect(res.status).toBe(409);
    expect(res.body).toEqual({ error: { code: "conflict", message: "Not enough points: 320 of 500", request_id: expect.stringMatching(requestId) } });
    expect(await balance(memberId)).toBe(320);
    expect((await adjustmentRows(company.id, memberId)).map((r) => r.note)).toEqual(["Opening balance"]);
  });

  it("credits a member who owes points (a reversal took the balance below zero), a part at a time", async () => {
    const { company, memberId, key } = await seed(100);
    // A sale reversed after its points were spent: the balance and the ledger go below zero together.
    await db.batch([
      db.update(members).set({ points: -100 }).where(eq(members.id, memberId)),
      db.insert(pointsLedger).values({ id: "led_owing_test_01", companyId: company.id, memberId, delta: -200, reason: "reversal", actor: "test", idempotencyKey: `unearn:test:${memberId}`, createdAt: Date.now() }),
    ]);

    const res = await admin(key, "POST", `/members/${memberId}/adjustments`, { points: 50, reason: "Goodwill" });

    expect(res.status).toBe(201);
    expect(res.body.balance).toBe(-50);
    expect(await balance(memberId)).toBe(-50);
    // A debit still may not go (further) below zero.
    expect((await admin(key, "POST", `/members/${memberId}/adjustments`, { points: -1, reason: "Oops" })).status).toBe(409);
  });

  it("the same idempotency_key twice: one row, the same answer", async () => {
    const { company, memberId, key } = await seed(1000);
    const body = { points: -300, reason: "Refunded order", idempotency_key: "ticket-4711" };

    const first = await admin(key, "POST", `/members/${memberId}/adjustments`, body);
    const again = await admin(key, "POST", `/members/${memberId}/adjustments`, body);

    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(first.body.balance).toBe(700);
    expect(await balance(memberId)).toBe(700);
    expect((await adjustmentRows(company.id, memberId)).filter((r) => r.idempotencyKey === "adjust:ticket-4711")).toHaveLength(1);
  });

  it("an idempotency_key already used for a different adjustment is a conflict", async () => {
    const { memberId, key } = await seed(1000);
    await admin(key, "POST", `/members/${memberId}/adjustments`, { points: 10, reason: "Birthday", idempotency_key: "k1" });

    const res = await admin(key, "POST", `/members/${memberId}/adjustments`, { points: 20, reason: "Birthday", idempotency_key: "k1" });

    expect(res.status).toBe(409);
    expect(res.body.error).toEqual({
      code: "conflict",
      message: "idempotency_key: Already used for a different adjustment",
      request_id: expect.stringMatching(requestId),
    });
    expect(await balance(memberId)).toBe(1010);
  });

  it("idempotency keys belong to a company: another company's same key is its own adjustment", async () => {
    const mine = await seed(100);
    const theirs = await seed(100);
    const body = { points: 5, reason: "Welcome", idempotency_key: "same-key" };

    expect((await admin(mine.key, "POST", `/members/${mine.memberId}/adjustments`, body)).status).toBe(201);
    expect((await admin(theirs.key, "POST", `/members/${theirs.memberId}/adjustments`, body)).status).toBe(201);

    expect(await balance(mine.memberId)).toBe(105);
    expect(await balance(theirs.memberId)).toBe(105);
  });

  it("without an idempotency_key, each request is its own adjustment", async () => {
    const { company, memberId, key } = await seed(0);
    const body = { points: 50, reason: "Survey" };

    await admin(key, "POST", `/members/${memberId}/adjustments`, body);
    await admin(key, "POST", `/members/${memberId}/adjustments`, body);

    expect(await balance(memberId)).toBe(100);
    expect((await adjustmentRows(company.id, memberId)).map((r) => r.delta)).toEqual([50, 50]);
  });

  it("20 parallel debits that together exceed the balance never take it below zero", async () => {
    const { company, memberId, key } = await seed(1000);

    const results = await Promise.all(
      Array.from({ length: 20 }, () => admin(key, "POST", `/members/${memberId}/adjustments`, { points: -150, reason: "Parallel" })),
    );

    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(6);
    expect(statuses.filter((s) => s === 409)).toHaveLength(14);
    expect(await balance(memberId)).toBe(100);
    expect((await adjustmentRows(company.id, memberId)).filter((r) => r.delta === -150)).toHaveLength(6);
  });

  it("20 parallel requests with one idempotency_key make one adjustment", async () => {
    const { company, memberId, key } = await seed(1000);
    const body = { points: -100, reason: "Retried", idempotency_key: "retry-storm" };

    const results = await Promise.all(Array.from({ length: 20 }, () => admin(key, "POST", `/members/${memberId}/adjustments`, body)));

    expect(results.map((r) => r.status)).toEqual(Array(20).fill(201));
    expect(new Set(results.map((r) => r.body.ledger_entry.id)).size).toBe(1);
    expect(await balance(memberId)).toBe(900);
    expect(await adjustmentRows(company.id, memberId)).toHaveLength(2);
  });

  it("an inactive member cannot be adjusted", async () => {
    const { memberId, key } = await seed(1000);
    await db.update(members).set({ status: "inactive" }).where(eq(members.id, memberId));

    const res = await admin(key, "POST", `/members/${memberId}/adjustments`, { points: 10, reason: "Too late" });

    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: "not_found", message: "This company has no active member with that id" });
    expect(await balance(memberId)).toBe(1000);
  });
});

describe("adjustment bodies that are not valid", () => {
  it.each([
    ["no body fields", {}, "points: Invalid input: expected number, received undefined"],
    ["zero points", { points: 0, reason: "Nothing" }, "points: Must not be zero"],
    ["fractional points", { points: 1.5, reason: "Half" }, "points: Invalid input: expected int, received number"],
    ["points as a string", { points: "10", reason: "Text" }, "points: Invalid input: expected number, received string"],
    ["too many points", { points: 1_000_000_001, reason: "Lots" }, "points: Too big: expected number to be <=1000000000"],
    ["no reason", { points: 10 }, "reason: Invalid input: expected string, received undefined"],
    ["a short reason", { points: 10, reason: " ab " }, "reason: Too small: expected string to have >=3 characters"],
    ["a long reason", { points: 10, reason: "x".repeat(201) }, "reason: Too big: expected string to have <=200 characters"],
    ["an empty idempotency_key", { points: 10, reason: "Key", idempotency_key: "" }, "idempotency_key: Too small: expected string to have >=1 characters"],
    ["a long idempotency_key", { points: 10, reason: "Key", idempotency_key: "k".repeat(101) }, "idempotency_key: Too big: expected string to have <=100 characters"],
  ])("%s: 400, one line, nothing written", async (_name, body, message) => {
    const { company, memberId, key } = await seed(1000);

    const res = await admin(key, "POST", `/members/${memberId}/adjustments`, body);

    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: "invalid_request", message, request_id: expect.stringMatching(requestId) } });
    expect(await balance(memberId)).toBe(1000);
    expect(await adjustmentRows(company.id, memberId)).toHaveLength(1);
  });

  it("an unknown member id is not found", async () => {
    const { key } = await seed();
    const res = await admin(key, "POST", "/members/mem_doesnotexist0000/adjustments", { points: 10, reason: "Ghost" });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("not_found");
  });
});
