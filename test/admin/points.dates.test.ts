import { afterEach, describe, expect, it, vi, type MockInstance } from "vitest";
import { admin, requestId } from "../admin-harness";
import { adjustAt, checkedSeed, ids } from "./points.fixtures";

// The from/to bounds of the four listings: a date the calendar does not have is a clean 400 in the
// admin error shape, never an exception out of the validator (a 500).

const seed = checkedSeed(1000);
const expected = "Expected an ISO date (2024-05-01) or date-time (2024-05-01T09:30:00Z)";

let errors: MockInstance<typeof console.error> | undefined;
afterEach(() => errors?.mockRestore());

describe("listing bounds that name no real day", () => {
  it.each([
    ["from", "2024-13-01"],
    ["to", "2024-00-10"],
    ["from", "2024-01-00"],
    ["to", "2024-01-32"],
    ["from", "2023-02-29"],
    ["to", "2024-04-31"],
    ["from", "2024-13-01T09:30:00Z"],
    ["to", "2024-00-10T09:30:00Z"],
    ["from", "2024-02-30T09:30:00Z"],
  ])("?%s=%s: 400 invalid_request", async (name, value) => {
    const { memberId, key } = await seed();
    const spy = vi.spyOn(console, "error");
    errors = spy;
    for (const path of [`/members/${memberId}/ledger`, "/ledger", `/members/${memberId}/redemptions`, "/redemptions"]) {
      const res = await admin(key, "GET", `${path}?${name}=${value}`);
      expect(res.status, path).toBe(400);
      expect(res.body, path).toEqual({ error: { code: "invalid_request", message: `${name}: ${expected}`, request_id: expect.stringMatching(requestId) } });
    }
    expect(spy.mock.calls.map((args) => String(args[0])).filter((line) => line.includes("unhandled error"))).toEqual([]);
  });

  it("real days at the edges of months and of a leap year still work", async () => {
    const { company, memberId, key } = await seed();
    const leap = await adjustAt(company.id, memberId, "2024-02-29T12:00:00Z");
    await adjustAt(company.id, memberId, "2024-03-01T12:00:00Z");
    for (const qs of ["from=2024-02-29&to=2024-02-29", "from=2024-02-29T00:00:00Z&to=2024-02-29T23:59:59Z", "from=2024-01-31&to=2024-02-29"]) {
      const res = await admin(key, "GET", `/members/${memberId}/ledger?${qs}`);
      expect(res.status, qs).toBe(200);
      expect(ids(res.body), qs).toEqual([leap]);
    }
  });
});
