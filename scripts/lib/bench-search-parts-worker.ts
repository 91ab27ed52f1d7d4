// The Worker of the benchmark's search decomposition (scripts/lib/bench-search-parts.ts): this
// project's Worker (src/app.ts) as it is, plus one route, GET /kounta/<key>/search-parts/<part>,
// that answers like the customer search (the same middleware, parameters, key check, statement
// building, programme and answer) with one part of the search's work changed:
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
import { customerSearchParams, kountaMembers } from "../../src/kounta/customer-search";
import { publicOrigin } from "../../src/kounta/origin";
import { kountaParams } from "../../src/kounta/params";
import { KountaError } from "../../src/lib/errors";
import { serviceMessages } from "../../src/loyalty/cashier-messages";
import type { MemberSearchRow } from "../../src/loyalty/members/card";
import { companyStatement, programmeFromRows } from "../../src/loyalty/programme";
import { memberSearchStatement, SEARCH_LIMIT } from "../../src/loyalty/search/member-search";
import { d1Session, type AppEnv } from "../../src/services";
import { all, query } from "../../src/storage/sql";

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
  const search = memberSearchStatement(companyId, keyword);
  // The search reads the programme with its statement when this isolate has not got it; here it is
  // read alone then (the warm-up), so every measured request finds it in memory, as most searches do.
  let programme = cache.recentProgramme(companyId);
  if (!programme) {
    programme = programmeFromRows(await all(db, companyStatement(companyId)));
    if (programme) cache.rememberProgramme(programme);
  }
  if (!programme) throw new KountaError(404, serviceMessages.notConnected);

  let rows: MemberSearchRow[] = [];
  if (part === "select1") await all(db, query(sql`SELECT 1 AS ok`));
  if (part === "rows") rows = await all(db, constantRows);
  if (part === "statement" && search) await all(db, search);
  return c.json({ members: kountaMembers(companyId, rows, programme, publicOrigin(c)) });
});

const app = createApp();
app.get("/kounta/:addonKey/search-parts/:part", d1Session("replica"), requireAddonKey, ...partHandlers);

// (The module exports nothing but a type and the Worker: workerd takes every named export for an entry point.)
export default { fetch: app.fetch } satisfies ExportedHandler<Env>;
