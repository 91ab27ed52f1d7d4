import { describe, expect, it } from "vitest";
import { buildSearchExpressions, buildSearchTerms, foldText, nationalPhoneDigits } from "../../src/loyalty/search-terms";

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
    ).toBe("456_n_mary 456_n_jane 456_n_o 456_n_brien 456_e_mj_o_cafe_example_com 456_p_412345678 456_p_61412345678 456_k_ab12");
  });

  it("gives an inactive member no tokens, so no search finds them", () => {
    expect(buildSearchTerms({ companyId: "1", firstName: "A", lastName: null, email: null, phone: null, cardNumber: null, status: "inactive" }, null)).toBe("");
  });

  it("builds expressions only from letters, digits and underscores", () => {
    const expr = buildSearchExpressions("456", `john" OR smith* NEAR(x) : --`);
    expect(expr).toEqual({
      exact: `("456_n_john" AND "456_n_or" AND "456_n_smith" AND "456_n_near" AND "456_n_x")`,
      prefix: `("456_n_john"* AND "456_n_or"* AND "456_n_smith"* AND "456_n_near"* AND "456_n_x"*)`,
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
