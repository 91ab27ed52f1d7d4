import { describe, expect, it } from "vitest";
import { getJson, ORIGIN } from "../harness";
import { admin, requestId } from "../admin-harness";
import { adjustmentRows, balance, checkedSeed, redemptionAt } from "./points.fixtures";

const seed = checkedSeed(1000);

const routes = (memberId: string) => [
  ["POST", `/members/${memberId}/adjustments`, { points: 10, reason: "Anything" }],
  ["GET", `/members/${memberId}/ledger`, undefined],
  ["GET", "/ledger", undefined],
  ["GET", `/members/${memberId}/redemptions`, undefined],
  ["GET", "/redemptions", undefined],
] as const;

describe.each([
  ["no key", null, "Send an API key as Authorization: Bearer <key>"],
  ["a wrong key", "lk_not-a-real-key", "This API key is not valid or has been revoked"],
])("points routes with %s", (_name, key, message) => {
  it("answer 401 and change nothing", async () => {
    const { memberId } = await seed(1000);
    for (const [method, path, body] of routes(memberId)) {
      const res = await admin(key, method, path, body);
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.body).toEqual({ error: { code: "unauthorized", message, request_id: expect.stringMatching(requestId) } });
    }
    expect(await balance(memberId)).toBe(1000);
  });
});

describe("another company's member", () => {
  it("cannot be adjusted: 404, their balance untouched", async () => {
    const mine = await seed();
    const theirs = await seed(500);

    const res = await admin(mine.key, "POST", `/members/${theirs.memberId}/adjustments`, { points: -100, reason: "Not mine" });

    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      error: { code: "not_found", message: "This company has no active member with that id", request_id: expect.stringMatching(requestId) },
    });
    expect(await balance(theirs.memberId)).toBe(500);
    expect(await adjustmentRows(theirs.company.id, theirs.memberId)).toHaveLength(1);
  });

  it.each(["ledger", "redemptions"])("has no %s to read here: 404", async (list) => {
    const mine = await seed();
    const theirs = await seed();
    await redemptionAt(theirs.company, theirs.memberId, Date.now());

    const res = await admin(mine.key, "GET", `/members/${theirs.memberId}/${list}`);

    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      error: { code: "not_found", message: "This company has no member with that id", request_id: expect.stringMatching(requestId) },
    });
  });

  it.each(["ledger", "redemptions"])("never appears in the company's %s", async (list) => {
    const mine = await seed();
    const theirs = await seed();
    await redemptionAt(mine.company, mine.memberId, Date.now());
    await redemptionAt(theirs.company, theirs.memberId, Date.now());

    const res = await admin(mine.key, "GET", `/${list}`);

    expect(res.status).toBe(200);
    expect(res.body.data.length).toBeGreaterThan(0);
    expect(res.body.data.every((row: { member_id: string }) => row.member_id === mine.memberId)).toBe(true);
  });

  it("a cursor cannot reach another company's rows", async () => {
    const mine = await seed();
    const theirs = await seed();
    await redemptionAt(theirs.company, theirs.memberId, Date.now());
    const theirPage = await admin(theirs.key, "GET", "/ledger?limit=1");
    expect(theirPage.body.next_cursor).not.toBeNull();

    const res = await admin(mine.key, "GET", `/ledger?limit=10&cursor=${theirPage.body.next_cursor}`);

    expect(res.status).toBe(200);
    expect(res.body.data.map((row: { member_id: string; note: string }) => [row.member_id, row.note])).toEqual([
      [mine.memberId, "Opening balance"],
    ]);
  });
});

describe("the points routes in /openapi.json", () => {
  it("are documented under Points, with the bearer key and the error envelope", async () => {
    const { body: doc } = await getJson(`${ORIGIN}/openapi.json`);
    const operations = [
      ["post", "/admin/v1/members/{id}/adjustments", ["201", "400", "401", "403", "404", "409"]],
      ["get", "/admin/v1/members/{id}/ledger", ["200", "400", "401", "404"]],
      ["get", "/admin/v1/ledger", ["200", "400", "401"]],
      ["get", "/admin/v1/members/{id}/redemptions", ["200", "400", "401", "404"]],
      ["get", "/admin/v1/redemptions", ["200", "400", "401"]],
    ] as const;
    for (const [method, path, statuses] of operations) {
      const op = doc.paths[path]?.[method];
      expect(op, `${method} ${path}`).toBeDefined();
      expect(op.tags).toEqual(["Points"]);
      expect(op.security).toEqual([{ apiKey: [] }]);
      expect(Object.keys(op.responses).sort()).toEqual([...statuses].sort());
    }
    const ledgerParams = doc.paths["/admin/v1/ledger"].get.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`);
    expect(ledgerParams.sort()).toEqual(["query:cursor", "query:from", "query:limit", "query:to"]);
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(["LedgerEntry", "Redemption", "LedgerPage", "RedemptionPage", "PointsAdjustment"]));
  });
});
