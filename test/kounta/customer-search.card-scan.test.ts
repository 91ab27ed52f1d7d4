import { describe, expect, it } from "vitest";
import { newCardNumber, isValidCardNumber } from "../../src/loyalty/members/card-numbers";
import { getJson, kountaUrl, seedCompany } from "../harness";
import { ourCardNumber, withWrongCheckDigit } from "../member-pages/card-fixtures";

// A barcode scanner types the card number into Kounta's customer search (the 13 digits, its Enter
// ending the field), and Kounta sends them as the keyword. The exact card match finds the member; a
// number of ours with a wrong check digit was misread or mistyped, and finds nobody, by no field.

async function search(companyId: string, keyword: string, method: "GET" | "POST" = "GET") {
  const params = { keyword, site_id: "123", company_id: companyId, order_id: "111" };
  const { status, body } =
    method === "GET"
      ? await getJson(kountaUrl("customer-search", params))
      : await getJson(kountaUrl("customer-search"), {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams(params).toString(),
        });
  expect(status).toBe(200);
  return Object.keys((body as { members: Record<string, unknown> }).members);
}

describe("customer search: a scanned card number", () => {
  it("finds the member by the 13 digits exactly as the scanner types them, and only them", async () => {
    const company = await seedCompany();
    const card = ourCardNumber("40000000017");
    const id = await company.addMember({ firstName: "Scan", lastName: "Me", email: "scan.me@example.com", cardNumber: card });
    // Neighbours that share the start of the number, or digits of it, are not found.
    await company.addMember({ firstName: "Near", cardNumber: ourCardNumber("40000000018") });
    await company.addMember({ firstName: "Phone", phone: card.slice(0, 9) });

    expect(await search(company.id, card)).toEqual([id]);
    // Scanners end with Enter (CR, or CR LF) when the POS does not strip it; a form post alike.
    expect(await search(company.id, `${card}\r`)).toEqual([id]);
    expect(await search(company.id, `${card}\r\n`, "POST")).toEqual([id]);
  });

  it("finds a member who joined with a card number we gave out", async () => {
    const company = await seedCompany();
    const card = newCardNumber();
    expect(isValidCardNumber(card)).toBe(true);
    const id = await company.addMember({ firstName: "Joined", email: "joined.scan@example.com", cardNumber: card });
    expect(await search(company.id, card)).toEqual([id]);
  });

  it("a wrong check digit finds nobody, not even a phone number of those very digits or one starting with them", async () => {
    const company = await seedCompany({ phoneCountryCode: "61" });
    const card = ourCardNumber("34803123456");
    await company.addMember({ firstName: "Owner", email: "owner.scan@example.com", cardNumber: card });
    const mistyped = withWrongCheckDigit(card);
    expect(isValidCardNumber(mistyped)).toBe(false);
    // Phones an international customer may have given: the mistyped digits whole (+234 803 ...),
    // and a longer number starting with them.
    const whole = await company.addMember({ firstName: "Whole", phone: `+${mistyped}` });
    const longer = await company.addMember({ firstName: "Longer", phone: `+${mistyped}9` });

    expect(await search(company.id, mistyped)).toEqual([]);
    expect(await search(company.id, `${mistyped}\r`)).toEqual([]);
    expect(await search(company.id, `${mistyped.slice(0, 4)} ${mistyped.slice(4, 8)} ${mistyped.slice(8)}`)).toEqual([]);
    // Those members are in the index: their phones written as phones find them.
    expect(await search(company.id, `+${mistyped}`)).toEqual([whole]);
    expect(await search(company.id, `+${mistyped}9`)).toEqual([longer]);
    // Digits not of our card shape are searched as before: 12 of them are the start of both phones
    // (what the 13 mistyped digits would have found, by the first phone whole, without the check).
    expect(await search(company.id, mistyped.slice(0, 12))).toEqual([longer, whole]);
  });

  it("a merchant's own card of that shape, but no check digit of ours, is still found: by the card number alone", async () => {
    const company = await seedCompany({ phoneCountryCode: "61" });
    // A merchant's old card, numbered without EAN-13 in mind (its last digit is not the check digit).
    const own = "2000000000001";
    expect(isValidCardNumber(own)).toBe(false);
    const holder = await company.addMember({ firstName: "Legacy", email: "legacy.card@example.com", cardNumber: own });
    await company.addMember({ firstName: "Phone", phone: `+${own}` });
    expect(await search(company.id, own)).toEqual([holder]);
    expect(await search(company.id, "2000 0000 00001")).toEqual([holder]);
  });
});
