import { describe, expect, it } from "vitest";
import { admin, requestId } from "../admin-harness";
import { checkedSeed, expectStrictlyNewestFirst, ids, redemptionAt, walk } from "./points.fixtures";

const seed = checkedSeed(100_000);

describe("GET /members/{id}/redemptions", () => {
  it("lists a member's redemptions, newest first, in the documented shape", async () => {
    const { company, memberId, key } = await seed(5000);
    const applied = await redemptionAt(company, memberId, "2024-05-01T09:00:00Z", "applied", "five");
    const failed = await redemptionAt(company, memberId, "2024-05-02T09:00:00Z", "failed", "pct");
    const pending = await redemptionAt(company, memberId, "2024-05-03T09:00:00Z", "pending", "coffee");

    const res = await admin(key, "GET", `/members/${memberId}/redemptions`);

    expect(res.status).toBe(200);
    const common = { member_id: memberId, order_id: expect.stringMatching(/^\d+$/), site_id: company.siteId };
    expect(res.body).toEqual({
      data: [
        {
          ...common,
          id: pending,
          reward_id: company.rewardId("coffee"),
          kind: "free_product",
          points: 500,
          amount_cents: null,
          status: "pending",
          failure_reason: null,
          kounta_ref: null,
          created_at: "2024-05-03T09:00:00.000Z",
          updated_at: "2024-05-03T09:00:00.000Z",
        },
        {
          ...common,
          id: failed,
          reward_id: company.rewardId("pct"),
          kind: "percent_off",
          points: 300,
          amount_cents: 2000,
          status: "failed",
          failure_reason: "Order closed",
          kounta_ref: null,
          created_at: "2024-05-02T09:00:00.000Z",
          updated_at: "2024-05-02T09:00:00.001Z",
        },
        {
          ...common,
          id: applied,
          reward_id: company.rewardId("five"),
          kind: "amount_off",
          points: 1000,
          amount_cents: 500,
          status: "applied",
          failure_reason: null,
          kounta_ref: "line:2",
          created_at: "2024-05-01T09:00:00.000Z",
          updated_at: "2024-05-01T09:00:00.001Z",
        },
      ],
      next_cursor: null,
    });
  });

  it("filters by status and by date", async () => {
    const { company, memberId, key } = await seed();
    const at = (t: string, status: "pending" | "applied" | "failed") => redemptionAt(company, memberId, t, status);
    await at("2024-04-30T23:59:59.999Z", "applied");
    const mayApplied = await at("2024-05-01T00:00:00.000Z", "applied");
    const mayFailed = await at("2024-05-10T00:00:00.000Z", "failed");
    const mayPending = await at("2024-05-31T23:59:59.999Z", "pending");
    await at("2024-06-01T00:00:00.000Z", "applied");

    const may = await admin(key, "GET", `/members/${memberId}/redemptions?from=2024-05-01&to=2024-05-31`);
    const applied = await admin(key, "GET", `/members/${memberId}/redemptions?from=2024-05-01&to=2024-05-31&status=applied`);
    const failed = await admin(key, "GET", `/members/${memberId}/redemptions?status=failed`);
    const allApplied = await admin(key, "GET", `/members/${memberId}/redemptions?status=applied`);

    expect(ids(may.body)).toEqual([mayPending, mayFailed, mayApplied]);
    expect(ids(applied.body)).toEqual([mayApplied]);
    expect(ids(failed.body)).toEqual([mayFailed]);
    expect(allApplied.body.data.map((r: { created_at: string }) => r.created_at)).toEqual([
      "2024-06-01T00:00:00.000Z",
      "2024-05-01T00:00:00.000Z",
      "2024-04-30T23:59:59.999Z",
    ]);
  });

  it("a status that is not one of pending, applied, failed", async () => {
    const { memberId, key } = await seed();
    for (const path of [`/members/${memberId}/redemptions`, "/redemptions"]) {
      const res = await admin(key, "GET", `${path}?status=settled`);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({
        error: {
          code: "invalid_request",
          message: 'status: Invalid option: expected one of "pending"|"applied"|"failed"',
          request_id: expect.stringMatching(requestId),
        },
      });
    }
  });
});

describe("GET /redemptions", () => {
  it("pages through all the company's members without skips or repeats while redemptions arrive", async () => {
    const { company, memberId, key } = await seed();
    const other = await company.addMember({ firstName: "Jane", openingPoints: 100_000 });
    const t = Date.parse("2024-05-01T10:00:00Z");
    const expected: { id: string; time: number }[] = [];
    for (const [i, time] of [t, t, t + 1, t + 1, t + 1, t + 2, t + 3, t + 3].entries()) {
      expected.push({ id: await redemptionAt(company, i % 2 ? other : memberId, time), time });
    }
    const expectedIds = expected.sort((a, b) => b.time - a.time || (a.id < b.id ? 1 : -1)).map((r) => r.id);
    const added: string[] = [];

    const walked = await walk(
      (cursor) => admin(key, "GET", `/redemptions?to=2024-05-01&limit=3${cursor ? `&cursor=${cursor}` : ""}`),
      async (page) => {
        added.push(await redemptionAt(company, page % 2 ? other : memberId, Date.now()));
      },
    );

    expect(walked.map((r) => r.id)).toEqual(expectedIds);
    expectStrictlyNewestFirst(walked);
    expect(added.length).toBeGreaterThanOrEqual(2);
    const afterwards = await admin(key, "GET", "/redemptions?limit=200");
    expect(ids(afterwards.body)).toEqual(expect.arrayContaining(added));
  });

  it("with a status filter, pages walk only that status", async () => {
    const { company, memberId, key } = await seed();
    const t = Date.parse("2024-05-01T10:00:00Z");
    const applied: string[] = [];
    for (let i = 0; i < 5; i++) {
      const id = await redemptionAt(company, memberId, t + i, i % 2 ? "failed" : "applied");
      if (i % 2 === 0) applied.unshift(id);
    }

    const walked = await walk((cursor) => admin(key, "GET", `/redemptions?status=applied&limit=2${cursor ? `&cursor=${cursor}` : ""}`));

    expect(walked.map((r) => r.id)).toEqual(applied);
  });
});
