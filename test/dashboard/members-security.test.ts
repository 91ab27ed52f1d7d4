import { env } from "cloudflare:test";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { LoyaltyCache } from "../../src/loyalty/cache";
import { members, pointsLedger } from "../../src/storage/schema";
import { page, post, signedIn } from "../dashboard-harness";
import { call, db, ORIGIN, seedCompany } from "../harness";

// Every members page and form is scoped to the session's company: another company's member id in
// the address is the 404 page and changes nothing; a forged post (no token, another origin) is
// refused and changes nothing.

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 5, 6, 7]);
const OTHER_PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 9, 9, 9]);

/** Every form of the member page, with fields that would succeed for the company's own member. */
const forms = (id: string): Array<[string, Record<string, string | File>]> => [
  [`/dashboard/members/${id}`, { first_name: "Changed", last_name: "", email: "changed@example.com", phone: "", card_number: "" }],
  [`/dashboard/members/${id}/adjust`, { points: "500", reason: "Free points", idempotency_key: `dashboard_${crypto.randomUUID()}` }],
  [`/dashboard/members/${id}/deactivate`, {}],
  [`/dashboard/members/${id}/reactivate`, {}],
  [`/dashboard/members/${id}/icon`, { icon: new File([OTHER_PNG], "x.png", { type: "image/png" }) }],
  [`/dashboard/members/${id}/icon/remove`, {}],
];

/** A member with points, a ledger and an icon in KV: all that a form could change. */
async function victim(company: Awaited<ReturnType<typeof seedCompany>>, status: "active" | "inactive" = "active") {
  const id = await company.addMember({ firstName: "Victor", lastName: "Tim", email: "victor@example.com", iconVersion: 3, openingPoints: 100 });
  await new LoyaltyCache(env.CACHE).putIcon(company.id, id, { body: PNG.buffer, contentType: "image/png", version: 3 });
  if (status === "inactive") await db.update(members).set({ status: "inactive", searchTerms: "" }).where(eq(members.id, id));
  return id;
}

async function snapshot(companyId: string, id: string) {
  const [member] = await db.select().from(members).where(eq(members.id, id));
  const ledger = await db.select().from(pointsLedger).where(and(eq(pointsLedger.companyId, companyId), eq(pointsLedger.memberId, id)));
  const icon = await call(`${ORIGIN}/icons/${companyId}/${id}?v=3`);
  return { member, ledger, icon: [icon.status, [...new Uint8Array(await icon.arrayBuffer())]] };
}

describe("dashboard members: another company's member", () => {
  it.each(["active", "inactive"] as const)("an %s member of another company: every page and form is the 404 page and nothing changes", async (status) => {
    const mine = await seedCompany();
    const theirs = await seedCompany();
    const id = await victim(theirs, status);
    const before = await snapshot(theirs.id, id);
    const browser = await signedIn(mine.id);

    const shown = await page(browser, `/dashboard/members/${id}`);
    expect(shown.status).toBe(404);
    expect(shown.html).not.toContain("Victor");

    for (const [path, fields] of forms(id)) {
      const res = await post(browser, path, fields);
      expect(res.status, path).toBe(404);
      expect(res.html, path).toContain("This company has no such member.");
      expect(res.html, path).not.toContain("Victor");
    }
    expect(await snapshot(theirs.id, id)).toEqual(before);
    // Nor did anything land in the session's own company.
    expect(await db.select().from(members).where(eq(members.companyId, mine.id))).toEqual([]);
  });
});

describe("dashboard members: forged posts", () => {
  it("every form refuses a post without this session's token or from another origin, and nothing changes", async () => {
    const company = await seedCompany();
    const id = await victim(company);
    const before = await snapshot(company.id, id);
    const browser = await signedIn(company.id);
    const other = await signedIn(company.id);
    const forgeries = [{ csrf: null }, { csrf: "wrong-token" }, { csrf: other.csrf }, { origin: "https://evil.example", secFetchSite: "cross-site" }];

    const all: Array<[string, Record<string, string | File>]> = [
      ...forms(id),
      ["/dashboard/members", { first_name: "Forged", email: "forged@example.com" }],
    ];
    for (const [path, fields] of all) {
      for (const forged of forgeries) {
        const res = await post(browser, path, fields, forged);
        expect(res.status, `${path} ${JSON.stringify(forged)}`).toBe(403);
        expect(res.html).toContain("Nothing was changed");
      }
    }
    expect(await snapshot(company.id, id)).toEqual(before);
    expect(await db.select({ id: members.id }).from(members).where(eq(members.companyId, company.id))).toEqual([{ id }]);
  });
});
