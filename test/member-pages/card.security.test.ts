import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { redactPath } from "../../src/lib/logger";
import { revokeCardLinks } from "../../src/loyalty/members/card-links";
import { deactivateMember } from "../../src/loyalty/members/member-admin";
import { memberCardLinks } from "../../src/storage/schema";
import { call, db, ORIGIN } from "../harness";
import { addLedgerRows, cardPage, linkFor, ourCardNumber, rewardCompany } from "./card-fixtures";

// The card page tells nothing of anyone to a link that does not open a card, and nothing but the
// first name to one that does; it is never cached nor indexed, and follows the strict CSP.

const randomToken = () => btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32)))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

async function personalMember() {
  const company = await rewardCompany();
  const card = ourCardNumber("98765432101");
  const id = await company.addMember({
    firstName: "Matilda",
    lastName: "Zanzibar",
    email: "matilda.secret@example.com",
    phone: "0412 999 888",
    cardNumber: card,
  });
  await addLedgerRows(company.id, id, [{ delta: 45, reason: "adjustment", key: "adjust:x", note: "Welcome", at: Date.now() - 1000 }]);
  return { company, id, card };
}

describe("the card page: nothing personal beyond the first name", () => {
  it("shows the first name and never the surname, email, phone or member id", async () => {
    const { company, id, card } = await personalMember();
    const { status, html } = await cardPage(await linkFor(company.id, id));
    expect(status).toBe(200);
    expect(html).toContain("Matilda");
    for (const secret of ["Zanzibar", "matilda.secret", "example.com", "0412 999 888", "412999888", id, company.id.padStart(20, "0")]) {
      expect(html, secret).not.toContain(secret);
    }
    // The card number is shown: it is what the till scans.
    expect(html).toContain(card);
  });

  it("answers every link that opens no card with the same 404 page, which names nobody", async () => {
    const { company, id } = await personalMember();
    const other = await rewardCompany();
    const revoked = await linkFor(company.id, id);
    await linkFor(company.id, id); // a newer link revokes the older one
    const revokedByHand = await linkFor(company.id, id);
    expect(await revokeCardLinks(db, { companyId: company.id, memberId: id })).toBe(1);
    // A link row naming another company than the member's: the member is not that company's.
    const crossed = await linkFor(other.id, id);

    const tokens = { unknown: randomToken(), revoked, revokedByHand, crossed, short: "abc", long: `${randomToken()}x`, symbols: "%3Cscript%3E" };
    const answers = await Promise.all(Object.entries(tokens).map(async ([name, token]) => ({ name, ...(await cardPage(token)) })));
    const first = answers[0]!;
    expect(first.status).toBe(404);
    expect(first.html).toContain("<h1>This card link does not work</h1>");
    for (const answer of answers) {
      expect(answer.status, answer.name).toBe(404);
      expect(answer.html, answer.name).toBe(first.html);
      expect(answer.res.headers.get("cache-control"), answer.name).toBe("private, no-store");
      expect(answer.html, answer.name).not.toContain("Matilda");
      expect(answer.html, answer.name).not.toContain("Test Café");
    }
    // The manifest of such a link, and any deeper address: the same page.
    for (const path of [`/card/${revoked}/manifest.webmanifest`, `/card/${crossed}/manifest.webmanifest`, `/card/${revoked}/more/deeper`]) {
      const res = await call(`${ORIGIN}${path}`);
      expect(res.status, path).toBe(404);
      expect(await res.text(), path).toBe(first.html);
    }
  });

  it("a live link to an inactive member: a page saying the card is no longer active, no name", async () => {
    const { company, id } = await personalMember();
    const token = await linkFor(company.id, id);
    await deactivateMember(db, company.id, id);

    const { status, html } = await cardPage(token);

    expect(status).toBe(404);
    expect(html).toContain("<h1>This card is no longer active</h1>");
    expect(html).toContain(`Test Café ${company.id}`);
    expect(html).not.toContain("Matilda");
    expect(html).not.toContain("<svg");
    // The link itself is still live: reactivated, the member's card opens again.
    const [row] = await db.select().from(memberCardLinks).where(eq(memberCardLinks.memberId, id));
    expect(row!.revokedAt).toBeNull();
  });
});

describe("the card page: headers and markup", () => {
  it("is private, never stored, never indexed, under the strict CSP, with no inline style", async () => {
    const { company, id } = await personalMember();
    const token = await linkFor(company.id, id);
    const { html, res } = await cardPage(token);

    expect(res.headers.get("cache-control")).toBe("private, no-store");
    expect(res.headers.get("x-robots-tag")).toBe("noindex");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'; script-src 'self'; style-src 'self'");
    expect(html).toContain('<meta name="robots" content="noindex"/>');
    expect(html).toContain(`<link rel="manifest" href="/card/${token}/manifest.webmanifest"/>`);
    expect(html).not.toMatch(/\sstyle=/);
    expect(html).not.toMatch(/<script(?![^>]*\ssrc=)/);
  });

  it("serves a web app manifest that opens the card itself, standalone, under the programme's name", async () => {
    const { company, id } = await personalMember();
    const token = await linkFor(company.id, id);
    const res = await call(`${ORIGIN}/card/${token}/manifest.webmanifest`);

    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/manifest+json; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("private, no-store");
    expect(res.headers.get("x-robots-tag")).toBe("noindex");
    expect(await res.json()).toEqual({
      id: `/card/${token}`,
      name: `Test Café ${company.id}`,
      short_name: `Test Café ${company.id}`,
      description: `Your Beans and card at Test Café ${company.id}`,
      start_url: `/card/${token}`,
      scope: `/card/${token}`,
      display: "standalone",
      background_color: "#ffffff",
      theme_color: "#1f5fbf",
      icons: [{ src: "/card/icon.svg", sizes: "any", type: "image/svg+xml", purpose: "any" }],
    });

    const icon = await call(`${ORIGIN}/card/icon.svg`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get("content-type")).toBe("image/svg+xml");
    expect(await icon.text()).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 512 512">/);
  });

  it("logs a card address without its token", () => {
    const token = randomToken();
    expect(redactPath(`/card/${token}`)).toBe("/card/:token");
    expect(redactPath(`/card/${token}/manifest.webmanifest`)).toBe("/card/:token/manifest.webmanifest");
    expect(redactPath("/card/icon.svg")).toBe("/card/icon.svg");
  });
});
