import { describe, expect, it } from "vitest";
import { formatMoney } from "../../src/lib/money";

describe("formatMoney", () => {
  it.each([
    [1250, "AUD", "$12.50"],
    [1250, "NZD", "$12.50"],
    [1250, "EUR", "€12.50"],
    [1250, "GBP", "£12.50"],
    [-300, "AUD", "-$3.00"],
    [123456, "AUD", "$1,234.56"],
    // A code Intl does not know a symbol for: the code, as Intl writes it (a no-break space).
    [1250, "XXQ", "XXQ\u00a012.50"],
    [-5, "??", "-?? 0.05"],
  ])("%i cents in %s: %s", (cents, currency, text) => {
    expect(formatMoney(cents, currency)).toBe(text);
  });

  it("is AUD when no currency is given", () => {
    expect(formatMoney(1540)).toBe("$15.40");
  });
});
