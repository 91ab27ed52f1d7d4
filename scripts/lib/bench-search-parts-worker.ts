// The Worker of the benchmark's search decomposition (scripts/lib/bench-search-parts.ts): this
// project's Worker (src/app.ts) as it is, plus one route, GET /kounta/<key>/search-parts/<part>,
// that answers like the customer search (the same middleware but the body limit, which a GET without a
// body passes at once; the same parameters, key check, statement building, round trip with the
// programme (withProgramme) and answer) with one part of the search's work changed:
//
//   route      no member statement at all: the route's own cost ({"members":{}})
//   select1    one trivial D1 read (SELECT 1) in place of the search: the route and a D1 round trip
//   rows       20 constant rows of the search's shape from D1 (no table read), answered as members:
//              what carrying a full page of results costs, without the full-text search
//   statement  the real search statement, its rows dropped before the answer: the search in SQLite
//              and the rows' way back from D1, without the bigger answer
//
// Against /ready and the real search in the same interleaved rounds, the differences say where a
// search's time goes on this machine. Local only: `wrangler dev scripts/lib/bench-search-parts-worker.ts`
// on the benchmark's state. Never deployed (wrangler.toml's main is src/index.ts).

import { sql } from "drizzle-orm";
import { createFactory } from "hono/factory";
import { createApp } from "../../src/app";
import { assertKeyOpensCompany, requireAddonKey } from "../../src/kounta/addon-key";
import { customerSearchParams, kountaMembers, withProgramme } from "../../src/kounta/customer-search";
import { publicOrigin } from "../../src/kounta/origin";
import { kountaParams } from "../../src/kounta/params";
import { KountaError } from "../../src/lib/errors";
import { serviceMessages } from "../../src/loyalty/cashier-messages";
import type { MemberSearchRow } from "../../src/loyalty/members/card";
import { memberSearchStatement, SEARCH_LIMIT } from "../../src/loyalty/search/member-search";
import { d1Session, type AppEnv } from "../../src/services";
import { query, type Query } from "../../src/storage/sql";

const SEARCH_PARTS = ["route", "select1", "rows", "statement"] as const;
export type SearchPart = (typeof SEARCH_PARTS)[number];

/** A full page of rows shaped like the search's, made by SQLite without reading a table. */
const constantRows = query<MemberSearchRow>(sql.raw(`
  WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${SEARCH_LIMIT})
  SELECT 'mem_bench' || printf('%012d', i) AS id, 'Olivia' AS first_name, 'Martinez' AS last_name,
    'olivia.martinez' || i || '@example.com' AS email, '+61412345' || (100 + i) AS phone,
    '2000000' || (100000 + i) AS card_number, 1 AS icon_version, 120 + i AS points
  FROM n`));

const partHandlers = createFactory<AppEnv>().createHandlers(kountaParams(customerSearchParams), async (c) => {
  const part = c.req.param("part") as SearchPart;
  if (!SEARCH_PARTS.includes(part)) throw new KountaError(404, serviceMessages.notFound);
  const { db, cache } = c.get("services");
  const { keyword, company_id: companyId } = c.req.valid("query");
  assertKeyOpensCompany(c, companyId);
  // The part's statement in the search's place, in the same one round trip as the search's (with the
  // company's programme when this isolate has not got it; the warm-up leaves it in memory).
  const search = memberSearchStatement(companyId, keyword);
  const statement: Query<unknown> | null =
    part === "select1" ? query(sql`SELECT 1 AS ok`) : part === "rows" ? constantRows : part === "statement" ? search : null;
  const { programme, rows } = await withProgramme(db, cache, companyId, statement);
  if (!programme) throw new KountaError(404, serviceMessages.notConnected);
  // select1's row is no member, and the statement part drops its rows: only "rows" answers with members.
  return c.json({ members: kountaMembers(companyId, part === "rows" ? (rows as MemberSearchRow[]) : [], programme, publicOrigin(c)) });
});

const app = createApp();
app.get("/kounta/:addonKey/search-parts/:part", d1Session("replica"), requireAddonKey, ...partHandlers);

// (The module exports nothing but a type and the Worker: workerd takes every named export for an entry point.)
export default { fetch: app.fetch } satisfies ExportedHandler<Env>;
