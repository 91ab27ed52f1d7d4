import { describe, expect, it } from "vitest";
import { memberSearchStatement, SEARCH_LIMIT } from "../../src/loyalty/search/member-search";
import { toSql } from "../../src/storage/sql";

describe("the member search statement", () => {
  // SQLite prepares a statement again each time a parameter it read while planning is bound, and
  // it reads a bound LIMIT: the page sizes stay in the SQL so the statement is prepared once.
  it.each(["John Smith", "0412 345 678", "jo"])("writes its page sizes into the SQL and binds no LIMIT (%s)", (keyword) => {
    const { sql, params } = toSql(memberSearchStatement("456", keyword)!);
    expect(sql).not.toMatch(/LIMIT \?/);
    expect(sql.match(/LIMIT (\d+)/g)).toEqual([`LIMIT ${SEARCH_LIMIT}`, `LIMIT ${SEARCH_LIMIT}`]);
    expect(sql).toContain(`THEN ${SEARCH_LIMIT * 2} ELSE 0 END`);
    // What is bound: the two MATCH expressions, the prefix gate and the company.
    expect(params).toHaveLength(4);
    expect(params[3]).toBe("456");
  });

  it("is the same SQL text for every keyword, so one prepared statement serves them all", () => {
    const texts = new Set(
      ["John Smith", "0412 345 678", "jo", "john.smith@example.com", "600130629633"].map(
        (keyword) => toSql(memberSearchStatement("456", keyword)!).sql,
      ),
    );
    expect(texts.size).toBe(1);
  });

  // D1's SQLite (workerd's) also reads the bound company id while planning when the company's term
  // can pick an index of members, and so prepares the statement again on every call (counted with
  // gdb on sqlite3Reprepare: one per search, none with the unary +). The id stays bound, so every
  // company shares the one prepared statement.
  it("binds the company, kept out of the plan's index choices by a unary +, the same text for every company", () => {
    const first = toSql(memberSearchStatement("456", "jo")!);
    const other = toSql(memberSearchStatement("98765", "jo")!);
    expect(first.sql).toContain("WHERE +m.company_id = ? AND m.status = 'active'");
    expect(first.sql).not.toMatch(/[^+]m\.company_id =/);
    expect(other.sql).toBe(first.sql);
    expect(other.params[3]).toBe("98765");
  });
});
