import { describe, expect, it } from "vitest";
import { checkDigit, isValidCardNumber, looksLikeOurCardNumber, newCardNumber } from "../../src/loyalty/members/card-numbers";

// The card numbers members get when they join themselves: 13 digits, "2" first, an EAN-13 check digit.

describe("card numbers", () => {
  it("computes EAN-13's check digit (known barcodes)", () => {
    expect(checkDigit("400638133393")).toBe(1); // 4006381333931
    expect(checkDigit("978014300723")).toBe(4); // 9780143007234
    expect(checkDigit("200000000000")).toBe(8);
  });

  it("draws numbers of our shape with a valid check digit", () => {
    const drawn = new Set<string>();
    for (let i = 0; i < 500; i++) {
      const n = newCardNumber();
      expect(n).toMatch(/^2\d{12}$/);
      expect(isValidCardNumber(n)).toBe(true);
      drawn.add(n);
    }
    expect(drawn.size).toBe(500);
  });

  it("refuses every single mistyped digit, and a swap of two different neighbours in the body", () => {
    const n = "2123456789012".slice(0, 12);
    const valid = `${n}${checkDigit(n)}`;
    expect(isValidCardNumber(valid)).toBe(true);
    for (let i = 1; i < 13; i++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === valid[i]) continue;
        const typo = `${valid.slice(0, i)}${d}${valid.slice(i + 1)}`;
        expect(isValidCardNumber(typo), typo).toBe(false);
      }
    }
    const swapped = `${valid.slice(0, 3)}${valid[4]}${valid[3]}${valid.slice(5)}`;
    expect(isValidCardNumber(swapped)).toBe(false);
  });

  it("only numbers of our shape are ours: merchants' own card numbers are left alone", () => {
    expect(looksLikeOurCardNumber("100200300")).toBe(false);
    expect(looksLikeOurCardNumber("4006381333931")).toBe(false);
    expect(isValidCardNumber("4006381333931")).toBe(false);
    expect(looksLikeOurCardNumber("2000000000008")).toBe(true);
    expect(isValidCardNumber("2000000000008")).toBe(true);
    expect(isValidCardNumber("2000000000009")).toBe(false);
  });
});
