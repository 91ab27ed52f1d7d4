// Writing CSV for people to open in a spreadsheet (the dashboard's downloads).
//
// - RFC 4180: fields separated by commas, records ended by CRLF; a text field is always quoted, with
//   any " inside doubled, so a comma, quote or line break in it stays inside its cell.
// - Formula injection (OWASP "CSV Injection"): a spreadsheet runs a cell that starts with = + - @
//   (and some runs one that starts with a tab or a carriage return), such as a member named
//   "=HYPERLINK(...)". Such a TEXT cell is written with a single quote in front ('=HYPERLINK(...)),
//   which spreadsheets show as text. Leading spaces are looked through ("  =1+1" too), since some
//   readers trim them before deciding.
// - Numbers are written as digits, unquoted and never prefixed: a JavaScript number's text ("-500",
//   "12.5") cannot be a formula, and a negative points change must stay a number a sum can add up.
//   Only values typed as numbers get this: a text that looks like a number stays text (escaped).
// - Quoting every text cell also keeps a spreadsheet that splits on ";" or tabs (some locales) from
//   cutting a cell in two and starting the second half with "=".
// - A byte-order mark goes first (CSV_BOM) so Excel reads the file as UTF-8 ("Café", not "CafÃ©").

export type CsvValue = string | number | null | undefined;

export const CSV_BOM = "\ufeff";

// A tab or carriage return first, or = + - @ (or their full-width forms) after any white space
// (a no-break or ideographic space, a line feed included): a spreadsheet may read a formula there.
const FORMULA_START = /^(?:[\t\r]|[\s\u00a0\u3000]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20])/u;

/** One cell: a number as digits, nothing for null, text quoted (and defused when it would start a formula). */
export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return `"${text.replace(/"/g, '""')}"`;
}

/** One record, CRLF at its end. */
export function csvLine(values: readonly CsvValue[]): string {
  return `${values.map(csvCell).join(",")}\r\n`;
}

/** A whole file: the header, then the rows (with the byte-order mark in front). */
export function csvText(header: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  return CSV_BOM + csvLine(header) + rows.map(csvLine).join("");
}
