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
});
