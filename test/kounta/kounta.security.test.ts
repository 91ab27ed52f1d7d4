import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { companyAddonKey } from "../../src/kounta/addon-key";
import { customerLinks } from "../../src/storage/schema";
import { ADDON_KEY, db, getJson, kountaUrl, PREVIOUS_ADDON_KEY, seedCompany } from "../harness";

describe("add-on key in the path", () => {
  const paths = ["customer-search", "reward-lookup"];

  it.each(paths)("%s: a wrong key gets the same 404 as an unknown path, and no data", async (path) => {
    const company = await seedCompany();
    const id = await company.addMember({ firstName: "John", lastName: "Smith" });
    const params = { keyword: "john", company_id: company.id, reference_id: id, order_id: "111" };
    for (const key of ["wrong-key", "test-addon-key-curren", "test-addon-key-current-and-more", "TEST-ADDON-KEY-CURRENT"]) {
      const res = await getJson(kountaUrl(path, params, key));
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: "Not found" });
    }
  });

  it.each(paths)("%s: a missing key segment is not found", async (path) => {
    const company = await seedCompany();
    const res = await getJson(`https://loyalty.test/kounta/${path}?company_id=${company.id}&keyword=john`);
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: "Not found" });
  });

  it.each(paths)("%s: the previous key is still accepted while rotating", async (path) => {
    const company = await seedCompany();
    const id = await company.addMember({ firstName: "John", lastName: "Smith" });
    const res = await getJson(
      kountaUrl(path, { keyword: "john", company_id: company.id, reference_id: id, order_id: "111" }, PREVIOUS_ADDON_KEY),
    );
    expect(res.status).toBe(200);
  });
});

describe("keys the isolate has accepted before", () => {
  /** A search through this isolate's app with other add-on keys configured. */
  async function searchWith(keys: { current: string; previous?: string }, pathKey: string, companyId: string) {
    const ctx = createExecutionContext();
    const res = await createApp().fetch(
      new Request(kountaUrl("customer-search", { keyword: "john", company_id: companyId }, pathKey)),
      { ...env, KOUNTA_ADDON_KEY: keys.current, KOUNTA_ADDON_KEY_PREVIOUS: keys.previous ?? "" },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    return res.status;
  }

  it("a key accepted once is refused once it is no longer configured (the rotation finished)", async () => {
    const company = await seedCompany();
    const rotating = { current: "rotation-new-key-0123456789", previous: "rotation-old-key-0123456789" };
    expect(await searchWith(rotating, rotating.previous, company.id)).toBe(200);
    expect(await searchWith(rotating, rotating.previous, company.id)).toBe(200);

    expect(await searchWith({ current: rotating.current }, rotating.previous, company.id)).toBe(404);
    expect(await searchWith({ current: rotating.current }, rotating.current, company.id)).toBe(200);
  });

  it("a company's key accepted once still opens only its own company", async () => {
    const mine = await seedCompany();
    const theirs = await seedCompany();
    const key = await companyAddonKey(ADDON_KEY, mine.id);
    expect((await getJson(kountaUrl("customer-search", { keyword: "john", company_id: mine.id }, key))).status).toBe(200);

    const res = await getJson(kountaUrl("customer-search", { keyword: "john", company_id: theirs.id }, key));

    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: "Not found" });
  });

  it("a company's key accepted once does not make a tampered one good", async () => {
    const company = await seedCompany();
    const key = await companyAddonKey(ADDON_KEY, company.id);
    expect((await getJson(kountaUrl("customer-search", { keyword: "john", company_id: company.id }, key))).status).toBe(200);
    const last = key.at(-1) === "A" ? "B" : "A";
    for (const tampered of [`${key.slice(0, -1)}${last}`, `${company.id}.${"A".repeat(43)}`]) {
      const res = await getJson(kountaUrl("customer-search", { keyword: "john", company_id: company.id }, tampered));
      expect(res.status).toBe(404);
    }
  });

  it("a wrong key stays wrong after a right one", async () => {
    const company = await seedCompany();
    expect((await getJson(kountaUrl("customer-search", { keyword: "john", company_id: company.id }))).status).toBe(200);
    for (const key of [`${ADDON_KEY}x`, ADDON_KEY.slice(0, -1), `${ADDON_KEY}%0A`]) {
      expect((await getJson(kountaUrl("customer-search", { keyword: "john", company_id: company.id }, key))).status).toBe(404);
    }
  });
});

/** A company's own key, computed here from its definition: `<id>.<base64url HMAC-SHA256>`. */
async function expectedCompanyKey(addonKey: string, companyId: string): Promise<string> {
  const enc = new TextEncoder();
  const key = await crypto.subtle.importKey("raw", enc.encode(addonKey), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, enc.encode(`kounta-loyalty-url:${companyId}`)));
  return `${companyId}.${btoa(String.fromCharCode(...mac)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "")}`;
}

describe("a company's own key (what a merchant is shown)", () => {
  const paths = ["customer-search", "reward-lookup"];

  it("is the company id and an HMAC of it under the add-on key", async () => {
    const key = await companyAddonKey(ADDON_KEY, "456");
    expect(key).toMatch(/^456\.[A-Za-z0-9_-]{43}$/);
    expect(key).toBe(await expectedCompanyKey(ADDON_KEY, "456"));
    expect(key).not.toContain(ADDON_KEY);
    expect(await companyAddonKey(ADDON_KEY, "457")).not.toBe(key.replace("456", "457"));
  });

  it("opens its own company, with keys made from the current or the previous add-on key", async () => {
    const company = await seedCompany({ rewards: [{ id: "rwd", title: "Coffee", pointsRequired: 10 }] });
    const id = await company.addMember({ firstName: "John", lastName: "Smith", openingPoints: 50 });
    for (const addonKey of [ADDON_KEY, PREVIOUS_ADDON_KEY]) {
      const key = await companyAddonKey(addonKey, company.id);
      const search = await getJson(kountaUrl("customer-search", { keyword: "john", company_id: company.id }, key));
      expect(search.status).toBe(200);
      expect(Object.keys(search.body.members)).toEqual([id]);
      const lookup = await getJson(kountaUrl("reward-lookup", { company_id: company.id, reference_id: id, order_id: "111" }, key));
      expect(lookup.status).toBe(200);
      expect(lookup.body.member.id).toBe(id);
    }
  });

  it.each(paths)("%s: never opens another company, and writes nothing there", async (path) => {
    const mine = await seedCompany();
    const theirs = await seedCompany({ rewards: [{ id: "rwd", title: "Coffee", pointsRequired: 10 }] });
    const foreign = await theirs.addMember({ firstName: "John", lastName: "Smith", openingPoints: 50 });
    const key = await companyAddonKey(ADDON_KEY, mine.id);
    const params = { keyword: "john", company_id: theirs.id, reference_id: foreign, customer_id: "789", order_id: "111" };

    const get = await getJson(kountaUrl(path, params, key));
    const post = await getJson(kountaUrl(path, { company_id: mine.id }, key).replace(`?company_id=${mine.id}`, ""), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(params),
    });
    for (const res of [get, post]) {
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: "Not found" });
    }
    expect(await db.select().from(customerLinks).where(eq(customerLinks.companyId, theirs.id))).toEqual([]);
  });

  it.each(paths)("%s: a forged or borrowed company key is refused like a wrong key", async (path) => {
    const mine = await seedCompany();
    const theirs = await seedCompany();
    const id = await theirs.addMember({ firstName: "John" });
    const mineKey = await companyAddonKey(ADDON_KEY, mine.id);
    const signature = mineKey.slice(mineKey.indexOf(".") + 1);
    const forged = [
      `${theirs.id}.${signature}`, // my signature on their id
      `${theirs.id}.${"A".repeat(43)}`,
      await companyAddonKey("some-other-deployment-key", theirs.id),
      `${theirs.id}.${ADDON_KEY}`,
      `${theirs.id}`,
    ];
    for (const key of forged) {
      const res = await getJson(kountaUrl(path, { keyword: "john", company_id: theirs.id, reference_id: id, order_id: "111" }, key));
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: "Not found" });
    }
  });
});

describe("tenant isolation", () => {
  it("never shows another company's members in a search", async () => {
    const mine = await seedCompany();
    const theirs = await seedCompany();
    const own = await mine.addMember({ firstName: "John", lastName: "Smith", email: "john@mine.example", phone: "0412 345 678", cardNumber: "555" });
    await theirs.addMember({ firstName: "John", lastName: "Smith", email: "john@theirs.example", phone: "0412 345 678", cardNumber: "555" });
    for (const keyword of ["John Smith", "john@", "john@theirs.example", "0412 345 678", "555"]) {
      const res = await getJson(kountaUrl("customer-search", { keyword, company_id: mine.id }));
      expect(res.status).toBe(200);
      expect(Object.keys(res.body.members)).toEqual(keyword === "john@theirs.example" ? [] : [own]);
    }
  });

  it("does not look up another company's member, even by its exact id", async () => {
    const mine = await seedCompany({ rewards: [{ id: "rwd", title: "Coffee", pointsRequired: 10 }] });
    const theirs = await seedCompany();
    const foreign = await theirs.addMember({ firstName: "Eve", openingPoints: 100 });
    const res = await getJson(
      kountaUrl("reward-lookup", { company_id: mine.id, reference_id: foreign, customer_id: "789", order_id: "111" }),
    );
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: "This customer is not a member of the loyalty programme." });
  });

  it("answers a company that has not connected with an error and no data", async () => {
    const company = await seedCompany({ connected: false, rewards: [{ id: "rwd", title: "Coffee", pointsRequired: 10 }] });
    const id = await company.addMember({ firstName: "John", openingPoints: 100 });
    const search = await getJson(kountaUrl("customer-search", { keyword: "john", company_id: company.id }));
    const lookup = await getJson(kountaUrl("reward-lookup", { company_id: company.id, reference_id: id, customer_id: "5", order_id: "1" }));
    for (const res of [search, lookup]) {
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: "This business is not connected to the loyalty programme." });
    }
  });
});
