import { describe, expect, it } from "vitest";
import { csvCell, csvLine, csvText } from "../../src/lib/csv-export";
import { parseCsv } from "../../src/loyalty/members/csv";

// The CSV writer of the dashboard's downloads: RFC 4180 quoting, and no cell a spreadsheet would run.

describe("csv-export", () => {
  it.each([
    ["plain text, always quoted", "Latte", '"Latte"'],
    ["a comma stays in its cell", "Smith, John", '"Smith, John"'],
    ["quotes doubled", 'say "hi"', '"say ""hi"""'],
    ["a line break stays in its cell", "two\r\nlines", '"two\r\nlines"'],
    ["empty text", "", '""'],
    ["= formula", "=HYPERLINK(\"https://evil.example\",\"Click\")", '"\'=HYPERLINK(""https://evil.example"",""Click"")"'],
    ["+ formula", "+cmd|' /C calc'!A0", "\"'+cmd|' /C calc'!A0\""],
    ["- at the start of text", "-Ann", "\"'-Ann\""],
    ["@ at the start", "@SUM(A1)", "\"'@SUM(A1)\""],
    ["a tab at the start", "\t=1+1", "\"'\t=1+1\""],
    ["a carriage return at the start", "\r=1+1", "\"'\r=1+1\""],
    ["spaces before a formula", "  =1+1", "\"'  =1+1\""],
    ["a lone tab at the start", "\tAnn", "\"'\tAnn\""],
    ["a no-break space before a formula", "\u00a0=1+1", "\"'\u00a0=1+1\""],
    ["a line feed before a formula", "\n=1+1", "\"'\n=1+1\""],
    ["a full-width equals sign", "\uff1d1+1", "\"'\uff1d1+1\""],
    ["a formula character later on is harmless", "Ann = best", '"Ann = best"'],
    ["a text that looks like a negative number is still text", "-500", "\"'-500\""],
  ])("%s", (_name, value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });

  it("writes numbers as digits, unquoted and never prefixed, and nothing for null", () => {
    expect([csvCell(-500), csvCell(0), csvCell(12.5), csvCell(1234567), csvCell(null), csvCell(undefined), csvCell(Number.NaN)]).toEqual([
      "-500",
      "0",
      "12.5",
      "1234567",
      "",
      "",
      "",
    ]);
  });

  it("ends each record with CRLF, puts a byte-order mark first, and reads back as written", () => {
    expect(csvLine(["a", 1, null, "=x"])).toBe("\"a\",1,,\"'=x\"\r\n");
    const text = csvText(["Name", "Points"], [["Smith, \"J\"", -5], ["line\nbreak", 7]]);
    expect(text).toBe('\ufeff"Name","Points"\r\n"Smith, ""J""",-5\r\n"line\nbreak",7\r\n');
    expect(parseCsv(text)).toEqual([["Name", "Points"], ['Smith, "J"', "-5"], ["line\nbreak", "7"]]);
  });
});
