import { env } from "cloudflare:test";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { verifyRedeemParams } from "../../src/kounta/redeem-url";
import { LoyaltyCache, refreshMemberCard } from "../../src/loyalty/cache";
import { isolateCache } from "../../src/storage/isolate-cache";
import { customerLinks, members } from "../../src/storage/schema";
import { db, expectBalanceMatchesLedger, getJson, kountaUrl, ORIGIN, seedCompany } from "../harness";

const SIGNING_KEY = "test-redeem-signing-key-0123456789abcdef";

const demoRewards = [
  { id: "coffee", title: "Free coffee", terms: "Any regular hot drink", pointsRequired: 500 },
  { id: "five", title: "$5 off", kind: "amount_off" as const, value: 500, pointsRequired: 1000, actionLabel: "Take $5 off" },
  { id: "pay", title: "Pay with points", kind: "points_payment" as const, variableQuantity: true, pointsRequired: 2000 },
  { id: "cake", title: "Free cake", pointsRequired: 1500 },
  { id: "pct", title: "20% off", kind: "percent_off" as const, value: 2000, pointsRequired: 3000 },
  { id: "big", title: "Hamper", pointsRequired: 9000 },
  { id: "huge", title: "Espresso machine", pointsRequired: 20000 },
  { id: "off", title: "Retired reward", pointsRequired: 1, active: false },
];

async function lookup(params: Record<string, string>) {
  const res = await getJson(kountaUrl("reward-lookup", params));
  return res;
}

describe("reward lookup: the contract's response shape", () => {
  it("answers the member card and the rewards with every field and default", async () => {
    const company = await seedCompany({ introText: "Gold member since 2024", rewards: demoRewards });
    const id = await company.addMember({ firstName: "John", lastName: "Smith", email: "john.smith@example.com", openingPoints: 1250 });

    const { status, body } = await lookup({ customer_id: "789", reference_id: id, site_id: "123", company_id: company.id, order_id: "111" });

    expect(status).toBe(200);
    expect(body.member).toEqual({
      id,
      first_name: "John",
      last_name: "Smith",
      email_address: "john.smith@example.com",
      current_points: "1250",
      points_label: "Points",
      intro_text: "Gold member since 2024",
    });
    const rewards = body.rewards.map(({ redeem_url, ...rest }: Record<string, unknown>) => rest);
    expect(rewards).toEqual([
      // Redeemable now, in the merchant's order.
      { id: company.rewardId("coffee"), title: "Free coffee", terms: "Any regular hot drink", points_required: 500, points_label: "Points", action_label: "Redeem", variable_quantity: false },
      { id: company.rewardId("five"), title: "$5 off", points_required: 1000, points_label: "Points", action_label: "Take $5 off", variable_quantity: false },
      // Variable quantity: capped at the balance.
      { id: company.rewardId("pay"), title: "Pay with points", points_required: 1250, points_label: "Points", action_label: "Redeem", variable_quantity: true },
      // Then at most three being saved toward, nearest first, saying what is missing.
      { id: company.rewardId("cake"), title: "Free cake", terms: "250 more Points needed.", points_required: 1500, points_label: "Points", action_label: "Redeem", variable_quantity: false },
      { id: company.rewardId("pct"), title: "20% off", terms: "1750 more Points needed.", points_required: 3000, points_label: "Points", action_label: "Redeem", variable_quantity: false },
      { id: company.rewardId("big"), title: "Hamper", terms: "7750 more Points needed.", points_required: 9000, points_label: "Points", action_label: "Redeem", variable_quantity: false },
    ]);
  });

  it("hands out signed, expiring redeem URLs that carry the order placeholder literally", async () => {
    const company = await seedCompany({ rewards: demoRewards.slice(0, 1) });
    const id = await company.addMember({ firstName: "John", openingPoints: 600 });
    const before = Math.floor(Date.now() / 1000);

    const { body } = await lookup({ customer_id: "789", reference_id: id, site_id: "123", company_id: company.id, order_id: "111" });

    const redeemUrl: string = body.rewards[0].redeem_url;
    expect(redeemUrl.startsWith(`${ORIGIN}/kounta/redeem?`)).toBe(true);
    expect(redeemUrl).toContain("&order_id=111");
    expect(redeemUrl).not.toContain("test-addon-key");
    const params = Object.fromEntries(new URL(redeemUrl).searchParams);
    expect(params).toEqual({
      company_id: company.id,
      site_id: "123",
      reference_id: id,
      customer_id: "789",
      reward_id: company.rewardId("coffee"),
      expires: expect.stringMatching(/^\d+$/),
      nonce: expect.stringMatching(/^[A-Za-z0-9_-]{8}$/),
      points: "500",
      sig: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      order_id: "111",
    });
    // Twelve hours by default.
    expect(Number(params.expires) - before).toBeGreaterThanOrEqual(12 * 3600);
    expect(Number(params.expires) - before).toBeLessThanOrEqual(12 * 3600 + 5);

    const now = Date.now();
    expect(await verifyRedeemParams(params, [SIGNING_KEY], now)).toBe("valid");
    // Kounta rewrites the order id and appends a quantity: neither is signed.
    expect(await verifyRedeemParams({ ...params, order_id: "98765", quantity: "50" } as never, [SIGNING_KEY], now)).toBe("valid");
    expect(await verifyRedeemParams({ ...params, reward_id: "rwd_other" }, [SIGNING_KEY], now)).toBe("invalid");
    expect(await verifyRedeemParams({ ...params, reference_id: "mem_other" }, [SIGNING_KEY], now)).toBe("invalid");
    expect(await verifyRedeemParams({ ...params, company_id: "1" }, [SIGNING_KEY], now)).toBe("invalid");
    // The price shown is signed: neither changed nor dropped.
    expect(await verifyRedeemParams({ ...params, points: "1" }, [SIGNING_KEY], now)).toBe("invalid");
    expect(await verifyRedeemParams({ ...params, points: undefined }, [SIGNING_KEY], now)).toBe("invalid");
    expect(await verifyRedeemParams({ ...params, expires: String(Number(params.expires) + 3600) }, [SIGNING_KEY], now)).toBe("invalid");
    expect(await verifyRedeemParams({ ...params, sig: undefined }, [SIGNING_KEY], now)).toBe("invalid");
    expect(await verifyRedeemParams(params, ["another-signing-key-0123456789abcdefgh"], now)).toBe("invalid");
    expect(await verifyRedeemParams(params, [SIGNING_KEY], now + 12 * 3600 * 1000 + 10_000)).toBe("expired");
  });

  it("writes a placeholder with braces back untouched", async () => {
    const company = await seedCompany({ rewards: demoRewards.slice(0, 1) });
    const id = await company.addMember({ firstName: "John", openingPoints: 600 });
    const { body } = await lookup({ reference_id: id, company_id: company.id, order_id: "{order_id}" });
    expect(body.rewards[0].redeem_url).toMatch(/&order_id=\{order_id\}$/);
  });

  it("answers a member with no rewards with an empty list", async () => {
    const company = await seedCompany();
    const id = await company.addMember({ firstName: "John", openingPoints: 5 });
    const { status, body } = await lookup({ reference_id: id, company_id: company.id, order_id: "111" });
    expect(status).toBe(200);
    expect(body.rewards).toEqual([]);
  });

  it("offers a variable-quantity reward only once there is a point to spend", async () => {
    const company = await seedCompany({ rewards: [demoRewards[2]!] });
    const id = await company.addMember({ firstName: "Empty" });
    const { body } = await lookup({ reference_id: id, company_id: company.id, order_id: "111" });
    expect(body.rewards).toHaveLength(1);
    expect(body.rewards[0]).toMatchObject({ points_required: 2000, variable_quantity: true, terms: "1 more Points needed." });
  });
});

describe("reward lookup: linking Kounta customers", () => {
  it("records the link between Kounta's customer and the member", async () => {
    const company = await seedCompany();
    const id = await company.addMember({ firstName: "John", openingPoints: 10 });
    await lookup({ customer_id: "789", reference_id: id, company_id: company.id, order_id: "111" });
    const links = await db.select().from(customerLinks).where(eq(customerLinks.companyId, company.id));
    expect(links).toEqual([{ companyId: company.id, kountaCustomerId: "789", memberId: id, linkedAt: expect.any(Number) }]);
  });

  it("finds the member through the link when reference_id is empty", async () => {
    const company = await seedCompany();
    const id = await company.addMember({ firstName: "John", openingPoints: 10 });
    await lookup({ customer_id: "789", reference_id: id, company_id: company.id, order_id: "111" });
    const { status, body } = await lookup({ customer_id: "789", reference_id: "", company_id: company.id, order_id: "112" });
    expect(status).toBe(200);
    expect(body.member.id).toBe(id);
  });

  it("moves the link when Kounta's customer now names another member", async () => {
    const company = await seedCompany();
    const first = await company.addMember({ firstName: "First" });
    const second = await company.addMember({ firstName: "Second" });
    await lookup({ customer_id: "789", reference_id: first, company_id: company.id, order_id: "1" });
    await lookup({ customer_id: "789", reference_id: second, company_id: company.id, order_id: "2" });
    const links = await db.select().from(customerLinks).where(and(eq(customerLinks.companyId, company.id), eq(customerLinks.kountaCustomerId, "789")));
    expect(links.map((l) => l.memberId)).toEqual([second]);
  });

  it("moves it back when the first member is opened with that customer again (the latest link wins, whatever is cached)", async () => {
    const company = await seedCompany();
    const first = await company.addMember({ firstName: "First" });
    const second = await company.addMember({ firstName: "Second" });
    for (const [reference_id, order_id] of [[first, "1"], [second, "2"], [first, "3"]] as const) {
      expect((await lookup({ customer_id: "789", reference_id, company_id: company.id, order_id })).status).toBe(200);
    }
    const links = await db.select().from(customerLinks).where(and(eq(customerLinks.companyId, company.id), eq(customerLinks.kountaCustomerId, "789")));
    expect(links.map((l) => l.memberId)).toEqual([first]);
    // The customer alone (reference_id empty) now opens the first member.
    expect((await lookup({ customer_id: "789", reference_id: "", company_id: company.id, order_id: "4" })).body.member.id).toBe(first);
  });

  it("links a new customer with the member read fresh from D1, never putting an older cached card back", async () => {
    const company = await seedCompany();
    const id = await company.addMember({ firstName: "John", openingPoints: 500 });
    await lookup({ customer_id: "789", reference_id: id, company_id: company.id, order_id: "1" });
    // The balance changed in D1; this isolate (or another location's KV) still holds the older card.
    await db.update(members).set({ points: 0 }).where(eq(members.id, id));

    const linked = await lookup({ customer_id: "790", reference_id: id, company_id: company.id, order_id: "2" });

    expect(linked.body.member.current_points).toBe("0");
    const cached = JSON.parse((await env.CACHE.get(`v1:card:${company.id}:${id}`))!);
    expect(cached).toMatchObject({ points: 0, kountaCustomerIds: ["789", "790"] });
    await db.update(members).set({ points: 500 }).where(eq(members.id, id));
  });

  it("records a new link for a member whose card is cached: one read batch with the member (the catalogue from the cache), then the link on the primary", async () => {
    const company = await seedCompany();
    const id = await company.addMember({ firstName: "John" });
    await lookup({ customer_id: "789", reference_id: id, company_id: company.id, order_id: "1" });
    const warm = await lookup({ customer_id: "790", reference_id: id, company_id: company.id, order_id: "2" });
    // The read (the nearest copy), then the new link's write (the primary): one of two round trips there.
    expect(warm.res.headers.get("server-timing")).toMatch(/^d1;dur=[\d.]+;desc="round_trips=2 queries=3 rows_read=\d+ rows_written=\d+ session=replica primary_trips=1"/);
    const links = await db.select().from(customerLinks).where(eq(customerLinks.companyId, company.id));
    expect(links.map((l) => l.kountaCustomerId).sort()).toEqual(["789", "790"]);
  });
});

describe("reward lookup: KV cache", () => {
  it("reads D1 once when cold, then serves from KV without touching D1", async () => {
    const company = await seedCompany({ rewards: demoRewards.slice(0, 2) });
    const id = await company.addMember({ firstName: "John", openingPoints: 1250 });
    const params = { customer_id: "789", reference_id: id, company_id: company.id, order_id: "111" };

    const cold = await lookup(params);
    // The first lookup of this member and customer: the read batch, then the link written.
    expect(cold.res.headers.get("server-timing")).toMatch(
      /^d1;dur=[\d.]+;desc="round_trips=2 queries=5 rows_read=\d+ rows_written=\d+ session=replica primary_trips=1", kv;dur=[\d.]+;desc="miss", total;dur=[\d.]+$/,
    );

    // Another isolate (or this one a few seconds later) reads KV.
    isolateCache.delete(`v1:card:${company.id}:${id}`);
    isolateCache.delete(`v1:catalogue:${company.id}`);
    const warm = await lookup(params);
    expect(warm.res.headers.get("server-timing")).toMatch(/^kv;dur=[\d.]+;desc="hit", total;dur=[\d.]+$/);
    const strip = (b: { rewards: { redeem_url: string }[] }) => ({ ...b, rewards: b.rewards.map((r) => ({ ...r, redeem_url: "" })) });
    expect(strip(warm.body)).toEqual(strip(cold.body));

    // The same isolate moments later: its own copy, not even KV.
    const hot = await lookup(params);
    expect(hot.res.headers.get("server-timing")).toMatch(/^kv;dur=0;desc="memory", total;dur=[\d.]+$/);
    expect(strip(hot.body)).toEqual(strip(cold.body));
  });

  it("shows a changed balance once the writer refreshes the card (write-through)", async () => {
    const company = await seedCompany();
    const id = await company.addMember({ firstName: "John", openingPoints: 100 });
    const params = { reference_id: id, company_id: company.id, order_id: "111" };
    await lookup(params);

    await db.update(members).set({ points: 40 }).where(eq(members.id, id));
    // Not written through yet: the POS still sees the cached card.
    expect((await lookup(params)).body.member.current_points).toBe("100");

    await refreshMemberCard(db, new LoyaltyCache(env.CACHE), company.id, id);
    expect((await lookup(params)).body.member.current_points).toBe("40");
    await db.update(members).set({ points: 100 }).where(eq(members.id, id));
  });

  it("keeps a card and a catalogue it read from a D1 copy in KV for a minute (a copy behind the primary heals by then)", async () => {
    const company = await seedCompany();
    const id = await company.addMember({ firstName: "John", openingPoints: 100 });
    await lookup({ reference_id: id, company_id: company.id, order_id: "111" });
    const inAMinute = Math.floor(Date.now() / 1000) + 60;
    for (const prefix of [`v1:card:${company.id}:${id}`, `v1:catalogue:${company.id}`]) {
      const { keys } = await env.CACHE.list({ prefix });
      expect(keys).toHaveLength(1);
      expect(keys[0]!.expiration).toBeGreaterThanOrEqual(inAMinute - 5);
      expect(keys[0]!.expiration).toBeLessThanOrEqual(inAMinute + 5);
    }
  });

  it("keeps the balance equal to the ledger", async () => {
    const company = await seedCompany({ rewards: demoRewards });
    for (const points of [0, 1, 500, 1250, 99999]) {
      const id = await company.addMember({ firstName: `P${points}`, openingPoints: points });
      await lookup({ reference_id: id, company_id: company.id, order_id: "111", customer_id: String(points + 1) });
    }
    await expectBalanceMatchesLedger(company.id);
  });
});

describe("reward lookup: a member not yet cached in a company whose catalogue is", () => {
  it("reads only the member from D1 and leaves the catalogue in KV alone", async () => {
    const company = await seedCompany({ rewards: demoRewards.slice(0, 1) });
    const first = await company.addMember({ firstName: "First", openingPoints: 600 });
    const second = await company.addMember({ firstName: "Second", openingPoints: 600 });
    await lookup({ reference_id: first, company_id: company.id, order_id: "1" });
    const catalogueBefore = await env.CACHE.getWithMetadata(`v1:catalogue:${company.id}`);

    const res = await lookup({ reference_id: second, company_id: company.id, order_id: "1" });

    expect(res.status).toBe(200);
    expect(res.body.rewards.map((r: { id: string }) => r.id)).toEqual([company.rewardId("coffee")]);
    // The catalogue came from memory; only the card was asked of KV, and missed.
    expect(res.res.headers.get("server-timing")).toMatch(/^d1;dur=[\d.]+;desc="round_trips=1 queries=1 rows_read=\d+ rows_written=0 session=replica primary_trips=0", kv;dur=[\d.]+;desc="miss"/);
    expect(await env.CACHE.get(`v1:catalogue:${company.id}`)).toBe(catalogueBefore.value);
  });
});

describe("reward lookup: a catalogue from before the company's cards were invalidated", () => {
  it("is put back by the next lookup that reads D1, and older cards stop passing as current", async () => {
    const company = await seedCompany({ rewards: demoRewards });
    const a = await company.addMember({ firstName: "Old", email: "a@example.com" });
    const b = await company.addMember({ firstName: "Bea", email: "b@example.com" });
    const first = (id: string) => lookup({ reference_id: id, company_id: company.id, order_id: "111" });
    expect((await first(a)).body.member.first_name).toBe("Old"); // card and catalogue cached, generation 0
    // An import renamed A and raised the cards generation, but a catalogue read before it was put last.
    const { companies } = await import("../../src/storage/schema");
    await db.update(members).set({ firstName: "New" }).where(eq(members.id, a));
    await db.update(companies).set({ cardsGeneration: 1 }).where(eq(companies.id, company.id));
    expect((await first(a)).body.member.first_name).toBe("Old");

    // B's card is read from D1 (generation 1, ahead of the catalogue's 0): the catalogue is put back.
    expect((await first(b)).body.member.first_name).toBe("Bea");

    const again = await first(a);
    expect(again.body.member.first_name).toBe("New");
    expect(again.res.headers.get("server-timing")).toMatch(/d1;/);
    const catalogue = await new LoyaltyCache(env.CACHE).getLookup(company.id, a);
    expect(catalogue.catalogue?.cardsGeneration).toBe(1);
  });
});
