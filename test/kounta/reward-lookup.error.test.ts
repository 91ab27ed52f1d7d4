import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { members } from "../../src/storage/schema";
import { db, getJson, kountaUrl, seedCompany } from "../harness";

describe("reward lookup: bad input answers a clean {error} and a 4xx", () => {
  const cases: [string, (c: string, m: string) => Record<string, string>, number, string][] = [
    ["no member reference at all", (c) => ({ company_id: c, order_id: "111" }), 400, "reference_id or customer_id is required"],
    ["both empty", (c) => ({ company_id: c, order_id: "111", reference_id: "", customer_id: "" }), 400, "reference_id or customer_id is required"],
    ["missing order_id", (c, m) => ({ company_id: c, reference_id: m }), 400, "order_id is required"],
    ["order_id with a quote", (c, m) => ({ company_id: c, reference_id: m, order_id: `1"&x=<y>` }), 400, "order_id is not a valid order id"],
    ["missing company_id", (_c, m) => ({ reference_id: m, order_id: "111" }), 400, "company_id is required"],
    ["non-numeric company_id", (_c, m) => ({ company_id: "456abc", reference_id: m, order_id: "111" }), 400, "company_id must be a Kounta id (digits only)"],
    ["non-numeric customer_id", (c, m) => ({ company_id: c, reference_id: m, customer_id: "x1", order_id: "111" }), 400, "customer_id must be a Kounta id (digits only)"],
    ["reference_id with SQL", (c) => ({ company_id: c, reference_id: "' OR 1=1 --", order_id: "111" }), 400, "reference_id is not a member id of this loyalty programme"],
    ["unknown member", (c) => ({ company_id: c, reference_id: "mem_nobody", order_id: "111" }), 404, "This customer is not a member of the loyalty programme."],
    ["unknown customer link", (c) => ({ company_id: c, customer_id: "424242", order_id: "111" }), 404, "This customer is not a member of the loyalty programme."],
    ["unknown company", (_c, m) => ({ company_id: "999999998", reference_id: m, order_id: "111" }), 404, "This business is not connected to the loyalty programme."],
  ];

  it.each(cases)("%s", async (_name, params, status, error) => {
    const company = await seedCompany();
    const id = await company.addMember({ firstName: "John", openingPoints: 100 });
    const res = await getJson(kountaUrl("reward-lookup", params(company.id, id)));
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ error });
    const [member] = await db.select().from(members).where(eq(members.id, id));
    expect(member!.points).toBe(100);
  });

  it("refuses a deactivated member", async () => {
    const company = await seedCompany();
    const id = await company.addMember({ firstName: "Gone" });
    await db.update(members).set({ status: "inactive", searchTerms: "" }).where(eq(members.id, id));
    const res = await getJson(kountaUrl("reward-lookup", { company_id: company.id, reference_id: id, order_id: "111" }));
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: "This membership is no longer active." });
  });
});
