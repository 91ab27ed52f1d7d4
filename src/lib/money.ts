// Amounts in ledger notes, in the company's currency: "$12.50" (AUD, NZD, USD...), "€12.50", "£12.50".

const formats = new Map<string, Intl.NumberFormat | null>();

function formatFor(currency: string): Intl.NumberFormat | null {
  let format = formats.get(currency);
  if (format === undefined) {
    try {
      format = new Intl.NumberFormat("en", { style: "currency", currency, currencyDisplay: "narrowSymbol" });
    } catch {
      format = null; // not a currency Intl knows: the code and the amount instead
    }
    formats.set(currency, format);
  }
  return format;
}

/** An amount in cents as the company's customers read it. */
export function formatMoney(cents: number, currency = "AUD"): string {
  const format = formatFor(currency);
  return format ? format.format(cents / 100) : `${cents < 0 ? "-" : ""}${currency} ${(Math.abs(cents) / 100).toFixed(2)}`;
}
