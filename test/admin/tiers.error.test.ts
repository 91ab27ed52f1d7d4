import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { members } from "../../src/storage/schema";
import { db, seedCompany } from "../harness";
import { admin, adminKey, requestId } from "../admin-harness";
import { DAY } from "../loyalty/tiers/tiers-harness";

// The admin API's tiers refusing what it cannot take: 400 with the field and why, 404, 409, and
// nothing changed by a refused request.

const three = {
  basis: "points",
  window: "rolling",
  tiers: [
    { name: "Bronze", threshold: 0 },
    { name: "Silver", threshold: 500, multiplier: 1.25 },
    { name: "Gold", threshold: 1000, multiplier: 1.5 },
  ],
};

async function setup() {
  const company = await seedCompany();
  const key = await adminKey(company.id);
  const saved = await admin(key, "PUT", "/tiers", three);
  expect(saved.status).toBe(200);
  return { company, key, tiers: saved.body.tiers as { id: string; name: string }[], before: saved.body };
}

const error = (code: string, message: string) => ({ error: { code, message, request_id: expect.stringMatching(requestId) } });
const tier = (name: string, threshold: number, extra: Record<string, unknown> = {}) => ({ name, threshold, ...extra });

describe("PUT /tiers: invalid lists", () => {
  it.each([
    ["a threshold equal to the one before", [tier("A", 0), tier("B", 0)], "tiers.1.threshold: Must be more than the tier before's"],
    ["a threshold below the one before", [tier("A", 0), tier("B", 500), tier("C", 400)], "tiers.2.threshold: Must be more than the tier before's"],
    ["two tiers of one name", [tier("Gold", 0), tier("gold", 10)], "tiers.1.name: Another tier has this name"],
    ["seven tiers", [1, 2, 3, 4, 5, 6, 7].map((i) => tier(`T${i}`, i * 100)), "tiers: Too big: expected array to have <=6 items"],
    ["a negative threshold", [tier("A", -1)], "tiers.0.threshold: Too small: expected number to be >=0"],
    ["a threshold in fractions", [tier("A", 1.5)], "tiers.0.threshold: Invalid input: expected int, received number"],
    ["a multiplier below 1", [tier("A", 0, { multiplier: 0.5 })], "tiers.0.multiplier: Too small: expected number to be >=1"],
    ["a multiplier above 10", [tier("A", 0, { multiplier: 11 })], "tiers.0.multiplier: Too big: expected number to be <=10"],
    ["a multiplier of three decimals", [tier("A", 0, { multiplier: 1.255 })], "tiers.0.multiplier: Invalid number: must be a multiple of 0.01"],
    ["an empty name", [tier(" ", 0)], "tiers.0.name: Too small: expected string to have >=1 characters"],
    ["a long name", [tier("x".repeat(31), 0)], "tiers.0.name: Too big: expected string to have <=30 characters"],
    ["no threshold", [{ name: "A" }], "tiers.0.threshold: Invalid input: expected number, received undefined"],
    ["an unknown field of a tier", [tier("A", 0, { colour: "gold" })], "tiers.0: colour: Not a field of a tier"],
  ])("%s: 400, nothing changed", async (_name, tiers, message) => {
    const { key, before } = await setup();
    const res = await admin(key, "PUT", "/tiers", { basis: "points", window: "rolling", tiers });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(error("invalid_request", message));
    expect((await admin(key, "GET", "/tiers")).body).toEqual(before);
  });

  it.each([
    ["an unknown basis", { basis: "visits" }, 'basis: Invalid option: expected one of "points"|"spend"'],
    ["an unknown window", { window: "monthly" }, 'window: Invalid option: expected one of "rolling"|"calendar_year"'],
    ["a window of 0 months", { window_months: 0 }, "window_months: Too small: expected number to be >=1"],
    ["a window of 37 months", { window_months: 37 }, "window_months: Too big: expected number to be <=36"],
    ["an unknown setting", { levels: 3 }, "levels: Not a tiers setting"],
    ["no list", { tiers: undefined }, "tiers: Invalid input: expected array, received undefined"],
  ])("%s: 400, nothing changed", async (_name, change, message) => {
    const { key, before } = await setup();
    const res = await admin(key, "PUT", "/tiers", { ...three, ...change });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(error("invalid_request", message));
    expect((await admin(key, "GET", "/tiers")).body).toEqual(before);
  });

  it("the same id twice: 400", async () => {
    const { key, tiers, before } = await setup();
    const res = await admin(key, "PUT", "/tiers", { ...three, tiers: [{ id: tiers[0]!.id, ...tier("A", 0) }, { id: tiers[0]!.id, ...tier("B", 10) }] });
    expect(res.body).toEqual(error("invalid_request", "tiers.1.id: Given twice"));
    expect((await admin(key, "GET", "/tiers")).body).toEqual(before);
  });

  it.each(["unknown", "removed", "another company's"])("an id that is not one of the company's tiers (%s): 400, nothing changed", async (which) => {
    const { key, tiers, before } = await setup();
    let id = "tier_0000000000000000";
    if (which === "another company's") {
      const other = await seedCompany();
      id = (await admin(await adminKey(other.id), "PUT", "/tiers", three)).body.tiers[0].id;
    }
    if (which === "removed") {
      // Gold removed, then sent back with its id.
      id = tiers[2]!.id;
      const removed = await admin(key, "PUT", "/tiers", { ...three, tiers: tiers.slice(0, 2).map((t, i) => ({ id: t.id, name: t.name, threshold: i * 500 })) });
      expect(removed.status).toBe(200);
      before.tiers = removed.body.tiers;
    }
    const res = await admin(key, "PUT", "/tiers", { ...three, tiers: [{ id, name: "Gold", threshold: 0 }] });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(error("invalid_request", `tiers: This company has no tier ${id}`));
    expect((await admin(key, "GET", "/tiers")).body).toEqual(before);
  });
});

describe("PUT /tiers: removing a tier a reward needs", () => {
  it("409 while an active reward is for it; nothing changed; allowed once the reward is not", async () => {
    const { key, tiers, before } = await setup();
    const reward = await admin(key, "POST", "/rewards", { kind: "free_product", title: "Gold coffee", points_required: 100, product_id: "2001", min_tier_id: tiers[2]!.id });
    expect(reward.status).toBe(201);
    const withoutGold = { ...three, tiers: tiers.slice(0, 2).map((t, i) => ({ id: t.id, name: t.name, threshold: i * 500 })) };

    const res = await admin(key, "PUT", "/tiers", withoutGold);

    expect(res.status).toBe(409);
    expect(res.body).toEqual(error("conflict", 'tiers: The reward "Gold coffee" is for Gold: change the reward before removing the tier'));
    expect((await admin(key, "GET", "/tiers")).body).toEqual(before);

    // Renaming the tier (same id) is no removal.
    expect((await admin(key, "PUT", "/tiers", { ...three, tiers: tiers.map((t, i) => ({ id: t.id, name: `${t.name}!`, threshold: i * 500 })) })).status).toBe(200);
    // An inactive reward holds nothing back.
    await admin(key, "PATCH", `/rewards/${reward.body.id}`, { active: false });
    expect((await admin(key, "PUT", "/tiers", withoutGold)).status).toBe(200);
  });

  it("sending the list without ids replaces every tier: refused too while a reward needs one", async () => {
    const { key, tiers } = await setup();
    await admin(key, "POST", "/rewards", { kind: "free_product", title: "Silver coffee", points_required: 100, product_id: "2001", min_tier_id: tiers[1]!.id });
    const res = await admin(key, "PUT", "/tiers", three);
    expect(res.status).toBe(409);
    expect(res.body).toEqual(error("conflict", 'tiers: The reward "Silver coffee" is for Silver: change the reward before removing the tier'));
  });

  it("a reward for an unknown tier: 400", async () => {
    const { key } = await setup();
    const res = await admin(key, "POST", "/rewards", { kind: "free_product", title: "Coffee", points_required: 100, product_id: "2001", min_tier_id: "tier_0000000000000000" });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(error("invalid_request", "min_tier_id: This company has no tier with that id"));
  });
});

describe("PUT /members/{id}/tier: refused", () => {
  const nextWeek = () => new Date(Date.now() + 7 * DAY).toISOString().slice(0, 10);

  it.each([
    ["an unknown tier", () => ({ tier_id: "tier_0000000000000000" }), "tier_id: This company has no tier with that id"],
    ["no tier_id", () => ({ until: nextWeek() }), "tier_id: Invalid input: expected string, received undefined"],
    ["a date that is not a date", () => ({ tier_id: "x", until: "next week" }), "until: Must be a date, YYYY-MM-DD"],
    ["a day that does not exist", () => ({ tier_id: "x", until: "2027-02-30" }), "until: Must be a real date"],
    ["a day already over", () => ({ tier_id: "x", until: new Date(Date.now() - DAY).toISOString().slice(0, 10) }), "until: Must be today or later"],
    ["an unknown field", () => ({ tier_id: null, reason: "VIP" }), "reason: Not a field of a member's tier"],
  ])("%s: 400, the member unchanged", async (_name, body, message) => {
    const { company, key, tiers } = await setup();
    const memberId = await company.addMember({ firstName: "Ann" });
    const payload = body() as Record<string, unknown>;
    if (payload.tier_id === "x") payload.tier_id = tiers[2]!.id;

    const res = await admin(key, "PUT", `/members/${memberId}/tier`, payload);

    expect(res.status).toBe(400);
    expect(res.body).toEqual(error("invalid_request", message));
    const [row] = await db.select().from(members).where(eq(members.id, memberId));
    expect(row).toMatchObject({ tierId: null, tierFloorId: null, tierFloorUntil: null, tierReviewAt: null });
    expect((await admin(key, "GET", `/members/${memberId}/tier`)).body.changes).toEqual([]);
  });

  it("an unknown member: 404 (GET and PUT)", async () => {
    const { key, tiers } = await setup();
    expect((await admin(key, "GET", "/members/mem_nobody/tier")).body).toEqual(error("not_found", "This company has no member with that id"));
    const res = await admin(key, "PUT", "/members/mem_nobody/tier", { tier_id: tiers[1]!.id });
    expect(res.status).toBe(404);
    expect(res.body).toEqual(error("not_found", "This company has no member with that id"));
  });

  it("without a key: 401", async () => {
    for (const [method, path] of [["GET", "/tiers"], ["PUT", "/tiers"], ["GET", "/members/mem_x/tier"], ["PUT", "/members/mem_x/tier"]] as const) {
      const res = await admin(null, method, path, method === "PUT" ? { tier_id: null } : undefined);
      expect(res.status).toBe(401);
      expect(res.body).toEqual(error("unauthorized", "Send an API key as Authorization: Bearer <key>"));
    }
  });
});

describe("PUT /tiers at the same time", () => {
  it("two lists sent at once never mix: the tiers end up as one of them, whole; one that lost the race says so (409)", async () => {
    const { key, tiers } = await setup();
    const keepAll = tiers.map((t, i) => ({ id: t.id, name: `${t.name} A`, threshold: i * 100 }));
    const answers = await Promise.all([
      admin(key, "PUT", "/tiers", { basis: "points", window: "rolling", tiers: keepAll }),
      admin(key, "PUT", "/tiers", { basis: "spend", window: "calendar_year", tiers: [{ name: "Only", threshold: 0 }] }),
    ]);
    // Which one wins, and whether the second read the tiers before the first wrote them, is the runtime's.
    expect(answers.some((a) => a.status === 200)).toBe(true);
    for (const lost of answers.filter((a) => a.status !== 200)) {
      expect(lost).toMatchObject({
        status: 409,
        body: error("conflict", "tiers: The tiers or a reward's tier changed while this was saved: nothing was changed. Read them again and retry"),
      });
    }
    const now = (await admin(key, "GET", "/tiers")).body;
    const names = now.tiers.map((t: { name: string }) => t.name);
    expect([["Bronze A", "Silver A", "Gold A"], ["Only"]]).toContainEqual(names);
    expect(now.basis).toBe(names[0] === "Only" ? "spend" : "points");
  });
});
