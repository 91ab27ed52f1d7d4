import { and, eq, isNull } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { isValidCardNumber } from "../../src/loyalty/members/card-numbers";
import { qrCodeSvg } from "../../src/lib/barcodes";
import { memberCardLinks, members } from "../../src/storage/schema";
import { figure, page, post, signedIn } from "../dashboard-harness";
import { call, db, getJson, kountaUrl, ORIGIN, seedCompany } from "../harness";

// The member page's "Card link" section: "Show a card link" issues a new link (the older one stops
// working) and shows it with its QR code; "Revoke the card link" ends it. Within the session's
// company only, behind the dashboard's Origin and CSRF checks.

const CARD_URL = new RegExp(`^${ORIGIN.replace(/\./g, "\\.")}/card/[A-Za-z0-9_-]{43}$`);

async function linksOf(memberId: string) {
  return db.select().from(memberCardLinks).where(eq(memberCardLinks.memberId, memberId));
}

async function opens(url: string): Promise<number> {
  return (await call(url)).status;
}

describe("dashboard: a member's card link", () => {
  it("shows a new link with its QR code; a second one replaces it; revoking ends it", async () => {
    const company = await seedCompany();
    const id = await company.addMember({ firstName: "Lena", lastName: "Link", email: "lena.link@example.com", cardNumber: "100200300" });
    const browser = await signedIn(company.id);
    const path = `/dashboard/members/${id}`;

    const before = await page(browser, path);
    expect(figure(before.html, "card-link-status")).toBe("This member has no card link.");
    expect(before.html).toContain(`action="${path}/card-link"`);
    expect(before.html).not.toContain("Revoke the card link");

    const first = await post(browser, `${path}/card-link`, {});
    expect(first.status).toBe(200);
    const url = figure(first.html, "card-link-url")!;
    expect(url).toMatch(CARD_URL);
    expect(first.html).toContain(qrCodeSvg(url, { label: "QR code of the card link for Lena" }));
    expect(first.res.headers.get("cache-control")).toBe("no-store");
    expect(await opens(url)).toBe(200);
    expect(await linksOf(id)).toMatchObject([{ companyId: company.id, revokedAt: null }]);

    const after = await page(browser, path);
    expect(figure(after.html, "card-link-status")).toMatch(/^A card link was given on \d{1,2} \w{3} \d{4}, \d{2}:\d{2} UTC\.$/);
    expect(after.html).toContain("The link given before stops working.");
    expect(after.html).toContain("Revoke the card link");

    const second = await post(browser, `${path}/card-link`, {});
    const newer = figure(second.html, "card-link-url")!;
    expect(newer).toMatch(CARD_URL);
    expect(newer).not.toBe(url);
    expect(await opens(url)).toBe(404);
    expect(await opens(newer)).toBe(200);
    const rows = await linksOf(id);
    expect(rows).toHaveLength(2);
    expect(rows.filter((r) => r.revokedAt === null)).toHaveLength(1);

    const revoked = await post(browser, `${path}/card-link/revoke`, {});
    expect(revoked.status).toBe(303);
    expect(revoked.location).toBe(`${path}?done=card-link-revoked`);
    expect(await opens(newer)).toBe(404);
    expect(await db.select().from(memberCardLinks).where(and(eq(memberCardLinks.memberId, id), isNull(memberCardLinks.revokedAt)))).toEqual([]);
    const shown = await page(browser, revoked.location!);
    expect(shown.html).toContain("The card link was revoked: it no longer opens the member&#39;s card.");
    expect(figure(shown.html, "card-link-status")).toBe("This member has no card link.");

    const again = await post(browser, `${path}/card-link/revoke`, {});
    expect(again.location).toBe(`${path}?done=card-link-none`);
  });

  it("gives a member without a card number one with a check digit, which the till then finds", async () => {
    const company = await seedCompany();
    const id = await company.addMember({ firstName: "Nora", email: "nora.nonumber@example.com" });
    const browser = await signedIn(company.id);
    const shown = await page(browser, `/dashboard/members/${id}`);
    expect(shown.html).toContain("The member has no card number yet: they get one, for the till to scan.");

    const issued = await post(browser, `/dashboard/members/${id}/card-link`, {});
    expect(issued.status).toBe(200);

    const [row] = await db.select().from(members).where(eq(members.id, id));
    expect(row!.cardNumber).toMatch(/^2\d{12}$/);
    expect(isValidCardNumber(row!.cardNumber!)).toBe(true);
    const { body } = await getJson(kountaUrl("customer-search", { keyword: row!.cardNumber!, site_id: "1", company_id: company.id }));
    expect(Object.keys(body.members)).toEqual([id]);
    // Its card page shows that number under the barcodes.
    const card = await call(figure(issued.html, "card-link-url")!);
    expect(await card.text()).toContain(`<span class="card-number" data-card="card-number">${row!.cardNumber}</span>`);
  });

  it("another company's member: the 404 page, and no link is made or ended", async () => {
    const mine = await seedCompany();
    const theirs = await seedCompany();
    const id = await theirs.addMember({ firstName: "Victor", email: "victor.link@example.com" });
    const browser = await signedIn(mine.id);
    const theirBrowser = await signedIn(theirs.id);
    const live = figure((await post(theirBrowser, `/dashboard/members/${id}/card-link`, {})).html, "card-link-url")!;

    for (const path of [`/dashboard/members/${id}/card-link`, `/dashboard/members/${id}/card-link/revoke`]) {
      const res = await post(browser, path, {});
      expect(res.status, path).toBe(404);
      expect(res.html, path).toContain("This company has no such member.");
      expect(res.html, path).not.toContain("Victor");
    }
    expect(await linksOf(id)).toHaveLength(1);
    expect(await opens(live)).toBe(200);
  });

  it("refuses a forged post (no token, another origin) and makes no link", async () => {
    const company = await seedCompany();
    const id = await company.addMember({ firstName: "Fay", email: "fay.forged@example.com" });
    const browser = await signedIn(company.id);

    const noToken = await post(browser, `/dashboard/members/${id}/card-link`, {}, { csrf: null });
    const elsewhere = await post(browser, `/dashboard/members/${id}/card-link`, {}, { origin: "https://evil.example", secFetchSite: "cross-site" });
    const revoke = await post(browser, `/dashboard/members/${id}/card-link/revoke`, {}, { csrf: "forged" });

    for (const res of [noToken, elsewhere, revoke]) {
      expect(res.status).toBe(403);
      expect(res.html).not.toContain("/card/");
    }
    expect(await linksOf(id)).toEqual([]);
    const [row] = await db.select().from(members).where(eq(members.id, id));
    expect(row!.cardNumber).toBeNull();
  });
});
