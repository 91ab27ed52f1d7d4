import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { qrCodeSvg } from "../../src/lib/barcodes";
import { pageHeaders } from "../../src/dashboard/layout";
import { companies } from "../../src/storage/schema";
import { page, signedIn } from "../dashboard-harness";
import { db, seedCompany } from "../harness";

// The poster for the counter: the programme's name, a QR code of exactly the join page's address,
// one line of text and the address printed under the code.

describe("the poster", () => {
  it("has the programme's name, the QR code of the join page and its address under it (A4)", async () => {
    const company = await seedCompany({ pointsLabel: "Beans" });
    const joinUrl = `https://loyalty.test/join/${company.id}`;

    const { status, html, res } = await page(await signedIn(company.id), "/dashboard/poster");

    expect(status).toBe(200);
    expect(res.headers.get("content-security-policy")).toBe(pageHeaders["Content-Security-Policy"]);
    expect(html).toContain('<main class="poster a4" aria-label="Poster">');
    expect(html).toContain(`<h1 class="poster-title">Test Café ${company.id}</h1>`);
    expect(html).toContain('<p class="poster-line">Scan to join our loyalty programme: collect Beans and see them on your phone.</p>');
    // The drawing bwip-js makes of exactly that address (the same input draws the same symbol).
    const qr = qrCodeSvg(joinUrl, { label: `QR code of the join page, ${joinUrl}` });
    expect(qr).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" class="barcode barcode-qr" /);
    expect(html).toContain(`<div class="poster-qr">${qr}</div><p class="poster-url">${joinUrl}</p>`);
    expect(html).not.toContain("Customers cannot join themselves");
    expect(html).not.toMatch(/style=|<script>/);
  });

  it("comes in A5 too, and warns when customers cannot join themselves", async () => {
    const company = await seedCompany();
    await db.update(companies).set({ selfEnrol: false }).where(eq(companies.id, company.id));
    const { status, html } = await page(await signedIn(company.id), "/dashboard/poster?size=a5");
    expect(status).toBe(200);
    expect(html).toContain('<main class="poster a5" aria-label="Poster">');
    expect(html).toContain('<a href="/dashboard/poster?size=a5" aria-current="page">');
    expect(html).toContain("Customers cannot join themselves at the moment: the join page tells them to ask at the counter.");
  });

  it("is the signed-in company's own, and needs a session", async () => {
    const company = await seedCompany();
    const other = await seedCompany();
    const { html } = await page(await signedIn(company.id), `/dashboard/poster?company=${other.id}`);
    expect(html).toContain(`/join/${company.id}</p>`);
    expect(html).not.toContain(other.id);
    const anonymous = await page(null, "/dashboard/poster");
    expect(anonymous.status).toBe(303);
    expect(anonymous.res.headers.get("location")).toBe("/dashboard/sign-in");
  });
});
