import { describe, expect, it } from "vitest";
import { buildSearchExpressions, buildSearchTerms, foldText, ftsPrefixOption, nationalPhoneDigits, tokenStart } from "../../src/loyalty/search/search-terms";

/** Company 456's token start: its id zero-padded to 20 digits. */
const C = "00000000000000000456";

describe("search terms", () => {
  it("folds case and accents, including letters Unicode does not decompose", () => {
    expect(foldText("José ÁLVAREZ Zoë Søren Straße Łukasz")).toBe("jose alvarez zoe soren strasse lukasz");
  });

  it.each([
    ["0412 345 678", "61", "412345678"],
    ["+61 412 345 678", "61", "412345678"],
    ["0061 412 345 678", "61", "412345678"],
    ["(04) 1234-5678", "61", "412345678"],
    ["+44 7700 900123", "61", "447700900123"],
    ["0412 345 678", null, "412345678"],
  ])("national digits of %s (country %s) are %s", (phone, cc, expected) => {
    expect(nationalPhoneDigits(phone, cc)).toBe(expected);
  });

  it("builds company-scoped, field-tagged tokens", () => {
    expect(
      buildSearchTerms(
        { companyId: "456", firstName: "Mary-Jane", lastName: "O'Brien", email: "MJ.O+cafe@Example.com", phone: "0412 345 678", cardNumber: "AB-12", status: "active" },
        "61",
      ),
    ).toBe(`${C}_n_mary ${C}_n_jane ${C}_n_o ${C}_n_brien ${C}_e_mj_o_cafe_example_com ${C}_p_412345678 ${C}_p_61412345678 ${C}_k_ab12`);
  });

  it("starts every token the same length for every company, so the prefix indexes fit all of them", () => {
    expect(tokenStart("456", "n")).toBe("00000000000000000456_n_");
    expect(tokenStart("1", "p")).toHaveLength(23);
    expect(tokenStart("12345678901234567890", "k")).toBe("12345678901234567890_k_");
    // One prefix index for each of the first 8 characters typed after the 23-character start.
    expect(ftsPrefixOption()).toBe("24 25 26 27 28 29 30 31");
  });

  it("gives an inactive member no tokens, so no search finds them", () => {
    expect(buildSearchTerms({ companyId: "1", firstName: "A", lastName: null, email: null, phone: null, cardNumber: null, status: "inactive" }, null)).toBe("");
  });

  it("builds expressions only from letters, digits and underscores", () => {
    const expr = buildSearchExpressions("456", `john" OR smith* NEAR(x) : --`);
    expect(expr).toEqual({
      exact: `("${C}_n_john" AND "${C}_n_or" AND "${C}_n_smith" AND "${C}_n_near" AND "${C}_n_x")`,
      prefix: `("${C}_n_john"* AND "${C}_n_or"* AND "${C}_n_smith"* AND "${C}_n_near"* AND "${C}_n_x"*)`,
      identifier: false,
    });
    expect(buildSearchExpressions("456", `" * ( ) : ' ; --`)).toBeNull();
  });

  it.each([
    ["john.smith@example.com", true],
    ["john.sm@", false],
    ["john@cafe", false],
    ["0412 345 678", true],
    ["+61412345678", true],
    ["100200300", true],
    ["0412", false],
    ["12345", false],
    ["CARD-77-AB", false],
    ["john", false],
    ["john.sm", false],
    ["José Álvarez", false],
  ] as const)("reads %s as a whole email, phone or card number: %s", (keyword, identifier) => {
    expect(buildSearchExpressions("456", keyword)?.identifier).toBe(identifier);
  });
});
