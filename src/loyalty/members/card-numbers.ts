// Card numbers we give members who join themselves: 13 digits, "2" then 11 random digits then a
// check digit, computed as EAN-13's (GS1 keeps prefixes 20-29 for numbers used in-store only, so no
// product barcode a scanner reads at the counter is one of ours). The check digit catches every
// single mistyped digit and most swaps of two neighbours: such a number is refused, never taken for
// another member's card. Merchants' own card numbers (any other shape) are left as they are.

const OURS = /^2\d{12}$/;

/** The EAN-13 check digit of 12 digits: weights 1 and 3 from the left, to the next multiple of 10. */
export function checkDigit(first12: string): number {
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(first12[i]) * (i % 2 === 0 ? 1 : 3);
  return (10 - (sum % 10)) % 10;
}

/** A new card number (random; the caller makes sure it is unique in the company). */
export function newCardNumber(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(11));
  const body = `2${Array.from(bytes, (b) => String(b % 10)).join("")}`;
  return `${body}${checkDigit(body)}`;
}

/** Whether the digits have the shape of the numbers we give out (13 digits starting with 2). */
export function looksLikeOurCardNumber(digits: string): boolean {
  return OURS.test(digits);
}

/** Whether a number of our shape carries the right check digit (false for any other shape). */
export function isValidCardNumber(digits: string): boolean {
  return OURS.test(digits) && checkDigit(digits.slice(0, 12)) === Number(digits[12]);
}
