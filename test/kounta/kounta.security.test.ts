import { describe, expect, it } from "vitest";
import { getJson, kountaUrl, PREVIOUS_ADDON_KEY, seedCompany } from "../harness";

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
