import { code128, drawingSVG, qrcode } from "bwip-js/generic";
import { describe, expect, it } from "vitest";
import { DAY_MS, expiryDay, isoDay } from "../../src/loyalty/earning/expiry";
import { barcodeOptions, code128Svg, qrCodeSvg } from "../../src/lib/barcodes";
import { expectBalanceMatchesLedger, seedCompany } from "../harness";
import { addLedgerRows, cardItems, cardPage, cardText, linkFor, ourCardNumber, rewardCompany } from "./card-fixtures";

// What a member's own card page shows: exact text for each part, and barcodes that carry the card
// number (the library's own drawing for the same text, and the number printed under them).

const at = (month: number, day: number, hour = 10) => Date.UTC(2026, month - 1, day, hour);

/** The drawing inside bwip-js's own SVG (without its <svg> element). */
const drawing = (svg: string) => /^<svg[^>]*>([\s\S]*)<\/svg>\s*$/.exec(svg)![1]!.trim();

describe("the card page: what it shows", () => {
  it("shows the programme, the first name, the balance, the way to the next reward, the rewards and the latest changes in plain words", async () => {
    const company = await rewardCompany();
    const card = ourCardNumber("00000012345");
    const id = await company.addMember({ firstName: "Matilda", lastName: "Quokka", email: "matilda@example.com", cardNumber: card });
    await addLedgerRows(company.id, id, [
      { delta: 200, reason: "adjustment", key: `opening:${id}`, note: "Opening balance", at: at(11, 20) },
      { delta: 45, reason: "earn", key: "earn:9001", orderId: "9001", siteId: company.siteId, note: "45 points: $45.00 at 1 per $", at: at(11, 28) },
      { delta: -100, reason: "redeem", key: "redeem:rdm_a", rewardId: company.rewardId("coffee"), siteId: company.siteId, at: at(12, 1) },
      { delta: 100, reason: "reversal", key: "release:rdm_a", rewardId: company.rewardId("coffee"), at: at(12, 1, 11) },
      { delta: -100, reason: "redeem", key: "redeem:rdm_b", rewardId: company.rewardId("coffee"), at: at(12, 1, 12) },
      { delta: 30, reason: "adjustment", key: "adjust:k1", note: "Birthday", at: at(12, 2) },
      { delta: -5, reason: "adjustment", key: "adjust:k2", note: "Counted twice", at: at(12, 2, 11) },
      { delta: -20, reason: "reversal", key: "refund:9002:#0", orderId: "9002", note: "Refund of $20.00 on order 9002", at: at(12, 3) },
      { delta: 20, reason: "earn", key: "earn:9003", orderId: "9003", siteId: "999999", at: at(12, 3, 11) },
      { delta: -20, reason: "reversal", key: "unearn:9003", orderId: "9003", note: "Order 9003 rejected: points earned reversed", at: at(12, 3, 12) },
      { delta: 10, reason: "earn", key: "earn:9004", orderId: "9004", at: at(12, 3, 13) },
    ]);
    await expectBalanceMatchesLedger(company.id);

    const { status, html } = await cardPage(await linkFor(company.id, id));

    expect(status).toBe(200);
    expect(cardText(html, "programme")).toBe(`Test Café ${company.id}`);
    expect(cardText(html, "first-name")).toBe("Matilda");
    expect(cardText(html, "points")).toBe("160");
    expect(html).toContain('<strong data-card="points">160</strong> Beans');
    // The next reward not redeemable yet: Slice of cake (300), 140 to go.
    expect(cardText(html, "next-reward")).toBe("140 Beans to go for Slice of cake");
    expect(html).toContain('<progress id="next-reward-progress" max="300" value="160">');
    // The POS's rule: redeemable now in the merchant's order, then three saved toward (the inactive one never).
    expect(cardItems(html, "redeemable")).toEqual(["Free coffee 100 Beans"]);
    expect(cardItems(html, "saving")).toEqual(["Slice of cake 140 Beans to go", "Lunch for two 840 Beans to go", "Tote bag 1,840 Beans to go"]);
    expect(html).not.toContain("Retired reward");
    // The last ten rows, newest first, in plain words (the opening balance is the eleventh: not shown).
    expect(cardItems(html, "history")).toEqual([
      `Earned 10 at Test Café ${company.id}, 3 Dec +10`,
      "Taken back: the sale was cancelled, 3 Dec \u221220",
      `Earned 20 at Test Café ${company.id}, 3 Dec +20`,
      "Taken back after a refund, 3 Dec \u221220",
      "Taken off by the café: Counted twice, 2 Dec \u22125",
      "Added by the café: Birthday, 2 Dec +30",
      "Redeemed Free coffee, 1 Dec \u2212100",
      "Given back: Free coffee was not used, 1 Dec +100",
      "Redeemed Free coffee, 1 Dec \u2212100",
      "Earned 45 at Main street, 28 Nov +45",
    ]);
    // A company without expiry: nothing about it.
    expect(cardText(html, "expiring")).toBeNull();
    expect(html).not.toMatch(/expire/i);
  });

  it("draws the card number as Code 128 and QR (the library's own drawing for that text), with the number under them", async () => {
    const company = await rewardCompany();
    const card = ourCardNumber("12345678901");
    const id = await company.addMember({ firstName: "Ada", email: "ada.card@example.com", cardNumber: card });

    const { html } = await cardPage(await linkFor(company.id, id));

    expect(cardText(html, "card-number")).toBe(card);
    const bars = drawing(code128(barcodeOptions.code128(card), drawingSVG()));
    const qr = drawing(qrcode(barcodeOptions.qrcode(card), drawingSVG()));
    expect(html).toContain(bars);
    expect(html).toContain(qr);
    // Exactly the two SVGs this module draws for the number, each an image with its name.
    expect(html).toContain(code128Svg(card, { label: `Barcode of card number ${card}` }));
    expect(html).toContain(qrCodeSvg(card, { label: `QR code of card number ${card}` }));
    expect(html).toContain(`role="img" aria-label="Barcode of card number ${card}"><title>Barcode of card number ${card}</title>`);
    // Another number draws other bars: the comparison above can fail.
    expect(html).not.toContain(drawing(code128(barcodeOptions.code128(ourCardNumber("12345678902")), drawingSVG())));
    // Large enough to scan from a phone: 2 CSS px a module (a 13-digit Code 128 is 123 modules and
    // 20 of quiet zone), the QR 232 px.
    expect(html).toContain('class="barcode barcode-code128" viewBox="0 0 143 50" width="286" height="100"');
    expect(html).toMatch(/class="barcode barcode-qr" viewBox="0 0 58 58" width="232" height="232"/);
  });

  it("tells of points expiring within 30 days when the company has an expiry policy, and says none when none do", async () => {
    const company = await rewardCompany({ expiryMonths: 12 });
    const now = Date.now();
    // A lot earned 12 months ago less 10 days: it expires in about 10 days.
    const earned = expiryCutoff10Days(now);
    const id = await company.addMember({ firstName: "Olive", email: "olive.card@example.com" });
    await addLedgerRows(company.id, id, [
      { delta: 45, reason: "earn", key: "earn:8001", orderId: "8001", siteId: company.siteId, at: earned },
      { delta: 80, reason: "earn", key: "earn:8002", orderId: "8002", siteId: company.siteId, at: now - DAY_MS },
    ]);
    const later = await company.addMember({ firstName: "Fresh", email: "fresh.card@example.com" });
    await addLedgerRows(company.id, later, [{ delta: 80, reason: "earn", key: "earn:8003", orderId: "8003", at: now - DAY_MS }]);

    const soon = await cardPage(await linkFor(company.id, id));
    const day = new Date(expiryDay(earned, 12)).toLocaleDateString("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });
    expect(cardText(soon.html, "expiring")).toBe(`45 Beans expire on ${day}.`);
    expect(expiryDay(earned, 12) - now).toBeLessThan(30 * DAY_MS);

    const none = await cardPage(await linkFor(company.id, later));
    expect(cardText(none.html, "expiring")).toBe("None of your Beans expire in the next 30 days.");
  });

  it("a new member: 0 points, nothing redeemable yet, the first rewards saved toward, no history yet", async () => {
    const company = await rewardCompany({ pointsLabel: "Points" });
    const id = await company.addMember({ firstName: "Newt", email: "newt.card@example.com", cardNumber: ourCardNumber("55555555555") });

    const { html } = await cardPage(await linkFor(company.id, id));

    expect(cardText(html, "points")).toBe("0");
    expect(cardText(html, "redeemable-none")).toBe("None yet: keep collecting Points.");
    expect(cardItems(html, "saving")).toEqual(["Free coffee 100 Points to go", "Slice of cake 300 Points to go", "Lunch for two 1,000 Points to go"]);
    expect(cardText(html, "next-reward")).toBe("100 Points to go for Free coffee");
    expect(html).toContain('<progress id="next-reward-progress" max="100" value="0">');
    expect(html).toContain("No Points yet: they show here from your first visit.");
  });

  it("a member the merchant added without a card number: the card page says so and draws no barcode", async () => {
    const company = await rewardCompany();
    const id = await company.addMember({ firstName: "Paper", email: "paper.card@example.com" });

    const { status, html } = await cardPage(await linkFor(company.id, id));

    expect(status).toBe(200);
    expect(cardText(html, "no-number")).toBe("Your card has no number yet: at the counter, the staff find you by your name.");
    expect(html).not.toContain("<svg");
  });
});

/** An instant whose points (12-month policy) expire about 10 days from `now`. */
function expiryCutoff10Days(now: number): number {
  const d = new Date(now);
  const earned = Date.UTC(d.getUTCFullYear() - 1, d.getUTCMonth(), d.getUTCDate() + 10, 12);
  expect(isoDay(expiryDay(earned, 12)) > isoDay(now)).toBe(true);
  return earned;
}

describe("the card's progress bar", () => {
  it("aims at the nearest reward of a fixed price, not at paying with points (which needs one point)", async () => {
    const company = await seedCompany({
      rewards: [
        { id: "pay", title: "Pay with points", pointsRequired: 2000, kind: "points_payment", variableQuantity: true },
        { id: "coffee", title: "Free coffee", pointsRequired: 500 },
      ],
    });
    const id = await company.addMember({ firstName: "Vera", email: "vera.card@example.com", cardNumber: ourCardNumber("66666666666") });
    const { html } = await cardPage(await linkFor(company.id, id));
    expect(cardItems(html, "saving")).toEqual(["Pay with points 1 Points to go", "Free coffee 500 Points to go"]);
    expect(cardText(html, "next-reward")).toBe("500 Points to go for Free coffee");
  });
});
