import { describe, expect, it } from "vitest";
import { encodeCursor } from "../../src/loyalty/listing";
import { enrolMember } from "../../src/loyalty/members/enrol";
import { pointsLedger, redemptions } from "../../src/storage/schema";
import { admin, adminKey } from "../admin-harness";
import { figure, page, signedIn } from "../dashboard-harness";
import { db, seedCompany } from "../harness";

// GET /dashboard/members/:id: the card, the history of points (a page of 25, newest first) and the
// redemptions; another company's member is the 404 page.

const DAY = 24 * 3600_000;
const T0 = Date.UTC(2026, 4, 1, 9, 30);

const ledgerIds = (html: string) => [...html.matchAll(/<tr data-ledger="([^"]+)">/g)].map((m) => m[1]!);
const olderLink = (html: string, param: string) => new RegExp(`href="([^"]+\\?${param}=[^"]+)">Older<`).exec(html)?.[1] ?? null;

async function ledgerRow(companyId: string, memberId: string, row: Partial<typeof pointsLedger.$inferInsert> & { id: string; createdAt: number }) {
  await db.insert(pointsLedger).values({ companyId, memberId, delta: 10, reason: "earn", idempotencyKey: `test:${row.id}`, ...row });
}

describe("dashboard member page", () => {
  it("shows the member's card: name, status, balance in the programme's label, contact, card and icon", async () => {
    const company = await seedCompany({ pointsLabel: "Beans" });
    const id = await company.addMember({
      firstName: "Ada",
      lastName: "Lovelace",
      email: "Ada@Example.com",
      phone: "0412 345 678",
      cardNumber: "100 200",
      iconVersion: 7,
      openingPoints: 1250,
    });
    const { status, html } = await page(await signedIn(company.id), `/dashboard/members/${id}`);

    expect(status).toBe(200);
    expect(html).toContain("<title>Ada Lovelace · ");
    expect(figure(html, "member-name")).toBe("Ada Lovelace");
    expect(figure(html, "member-status")).toBe("Active");
    expect(html).toContain(`<span class="badge active" data-figure="member-status">`);
    expect(figure(html, "balance")).toBe("1,250");
    expect(html).toContain(`<span data-figure="balance">1,250</span> Beans`);
    expect(figure(html, "member-email")).toBe("ada@example.com");
    expect(figure(html, "member-phone")).toBe("0412 345 678");
    expect(figure(html, "member-card")).toBe("100200");
    // The icon from our own origin (the CSP allows no other), the URL the POS is given.
    expect(html).toContain(`<img src="/icons/${company.id}/${id}?v=7" alt="" width="64" height="64"/>`);
    // The forms, each with this session's token, the details filled in.
    expect(html).toContain(`action="/dashboard/members/${id}/adjust"`);
    expect(html).toContain(`action="/dashboard/members/${id}/icon"`);
    expect(html).toContain(`data-confirm="Deactivate Ada Lovelace? The till will no longer find them; their points and history stay."`);
    expect(html).toContain(`name="card_number" type="text" value="100200"`);
    expect(html).toContain(`<label for="a-points">Beans to add or take away</label>`);
  });

  it("shows no icon without one, and an inactive member's badge without the points form", async () => {
    const company = await seedCompany();
    const id = await company.addMember({ firstName: "Bob", email: "bob@example.com" });
    const browser = await signedIn(company.id);
    expect((await page(browser, `/dashboard/members/${id}`)).html).not.toContain("<img");
    expect((await admin(await adminKey(company.id), "POST", `/members/${id}/deactivate`)).status).toBe(200);
    const { html } = await page(browser, `/dashboard/members/${id}`);
    expect(figure(html, "member-status")).toBe("Inactive");
    expect(html).toContain(`<span class="badge inactive" data-figure="member-status">`);
    expect(html).not.toContain(`/adjust"`);
    expect(html).toContain("This member is inactive: reactivate them to change their Points.");
    expect(html).toContain(`action="/dashboard/members/${id}/reactivate"`);
  });

  it("lists the history newest first, 25 at a time, with reason, change, note, who and where", async () => {
    const company = await seedCompany();
    // Enrolled on T0, before every row below.
    const id = await enrolMember(db, { companyId: company.id, firstName: "Ada", email: "ada@example.com", openingPoints: 100, actor: "test" }, { countryCode: "61", now: T0 });
    const rows: string[] = [];
    for (let i = 0; i < 30; i++) {
      const rowId = `led_t${String(i).padStart(3, "0")}${company.id}`;
      rows.push(rowId);
      await ledgerRow(company.id, id, { id: rowId, createdAt: T0 + (i + 1) * DAY, delta: i + 1, siteId: company.siteId, orderId: `ord${i}` });
    }
    const adjusted = `led_adj${company.id}`;
    await ledgerRow(company.id, id, { id: adjusted, createdAt: T0 + 40 * DAY, delta: -5, reason: "adjustment", actor: "dashboard:abc123def456", note: "Spilt coffee" });
    const browser = await signedIn(company.id);

    const first = await page(browser, `/dashboard/members/${id}`);
    const newestFirst = [adjusted, ...rows.slice().reverse()];
    expect(ledgerIds(first.html)).toEqual(newestFirst.slice(0, 25));
    expect(first.html).toContain(
      `<tr data-ledger="${adjusted}"><td>10 Jun 2026, 09:30 UTC</td><td>Changed by hand</td><td class="num">-5</td><td>Spilt coffee</td><td>Dashboard · abc123def456</td><td></td></tr>`,
    );
    expect(first.html).toContain(
      `<tr data-ledger="${rows[29]}"><td>31 May 2026, 09:30 UTC</td><td>Earned on a sale</td><td class="num">+30</td><td></td><td></td><td>Site ${company.siteId}, order ord29</td></tr>`,
    );
    expect(first.html).not.toContain(">Newest<");

    const older = olderLink(first.html, "ledger");
    expect(older).toMatch(new RegExp(`^/dashboard/members/${id}\\?ledger=`));
    const second = await page(browser, older!);
    expect(second.status).toBe(200);
    // The rest: 6 of the 30 and the opening balance (enrolled before them all).
    expect(ledgerIds(second.html)).toEqual([...newestFirst.slice(25), expect.stringMatching(/^led_/)]);
    expect(second.html).toContain("Opening balance");
    expect(second.html).toContain(`<a href="/dashboard/members/${id}">Newest</a>`);
    expect(olderLink(second.html, "ledger")).toBeNull();

    expect((await page(browser, `/dashboard/members/${id}?ledger=not-a-cursor`)).status).toBe(400);

    // Paging the history keeps the redemptions where they were (and the other way round).
    const redemptionsAt = encodeCursor({ createdAt: T0 + 50 * DAY, id: "rdm_zzz" });
    const both = await page(browser, `/dashboard/members/${id}?redemptions=${encodeURIComponent(redemptionsAt)}`);
    expect(both.status).toBe(200);
    const keptOlder = /href="([^"]+)">Older</.exec(both.html)?.[1] ?? "";
    expect(keptOlder.replaceAll("&amp;", "&")).toMatch(new RegExp(`^/dashboard/members/${id}\\?redemptions=${encodeURIComponent(redemptionsAt)}&ledger=`));
  });

  it("lists the redemptions with the reward, points, value and status", async () => {
    const company = await seedCompany({
      rewards: [
        { id: "five", title: "$5 off", kind: "amount_off", value: 500, pointsRequired: 1000 },
        { id: "pct", title: "20% off", kind: "percent_off", value: 2000, pointsRequired: 3000 },
      ],
    });
    const id = await company.addMember({ firstName: "Ada", email: "ada@example.com", openingPoints: 5000 });
    const base = { companyId: company.id, memberId: id, siteId: company.siteId, updatedAt: T0 };
    await db.insert(redemptions).values([
      { ...base, id: `rdm_a${company.id}`, rewardId: company.rewardId("five"), kind: "amount_off", orderId: "701", points: 1000, amountCents: 500, status: "applied", idempotencyKey: "k1", createdAt: T0 },
      { ...base, id: `rdm_b${company.id}`, rewardId: company.rewardId("pct"), kind: "percent_off", orderId: "702", points: 3000, amountCents: 2000, status: "failed", failureReason: "The order was closed", idempotencyKey: "k2", createdAt: T0 + DAY },
    ]);
    const { html } = await page(await signedIn(company.id), `/dashboard/members/${id}`);
    const order = [...html.matchAll(/<tr data-redemption="([^"]+)">/g)].map((m) => m[1]);
    expect(order).toEqual([`rdm_b${company.id}`, `rdm_a${company.id}`]);
    expect(html).toContain(
      `<tr data-redemption="rdm_a${company.id}"><td>1 May 2026, 09:30 UTC</td><td>$5 off</td><td class="num">1,000</td><td>$5.00</td><td><span class="badge applied">Applied</span></td><td>Site ${company.siteId}, order 701</td></tr>`,
    );
    expect(html).toContain(
      `<td>20% off</td><td class="num">3,000</td><td>20% off</td><td><span class="badge failed">Failed</span><span class="muted"> The order was closed</span></td>`,
    );
  });

  it("answers another company's member, or an unknown id, with the 404 page and shows nothing of them", async () => {
    const mine = await seedCompany();
    const theirs = await seedCompany();
    const id = await theirs.addMember({ firstName: "Secret", lastName: "Neighbour", email: "secret@example.com", openingPoints: 999 });
    const browser = await signedIn(mine.id);
    for (const path of [`/dashboard/members/${id}`, `/dashboard/members/${encodeURIComponent(id)}?done=saved`, "/dashboard/members/mem_nobody"]) {
      const res = await page(browser, path);
      expect(res.status, path).toBe(404);
      expect(res.html).toContain("This company has no such member.");
      expect(res.html).not.toContain("Secret");
      expect(res.html).not.toContain("secret@example.com");
    }
  });
});
