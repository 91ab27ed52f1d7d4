// The bench's runs besides the main scenarios (scripts/bench.ts): the dashboard's overview under
// load, and --compare's rows read per search and per overview at another size of company.

import { OVERVIEW_PATH } from "./bench-config.ts";
import { load, type Result } from "./bench-load.ts";
import { printResult, type CompareRow } from "./bench-report.ts";
import { request, startServer } from "./bench-server.ts";
import { openBenchSession, prepareState, sampleMembers } from "./bench-state.ts";
import { buildKeywords, cycle, KEYWORD_KINDS, searchJob } from "./bench-workload.ts";

/**
 * The dashboard's overview: GET OVERVIEW_PATH with the session cookie, under `options`. Null (and
 * said why) when the Worker does not answer it with a page: no such route yet, or the session not
 * accepted (a redirect to the sign-in page).
 */
export async function benchOverview(
  cookie: string,
  options: { durationMs: number; concurrency: number; maxRequests?: number },
  name = "dashboard overview",
): Promise<Result | null> {
  const headers = { Cookie: cookie };
  const probe = await request(OVERVIEW_PATH, undefined, headers);
  if (probe.status !== 200) {
    const why = probe.status === 303 ? " (a redirect to the sign-in page: the session was not accepted)" : "";
    console.log(`  ${name}: not measured: GET ${OVERVIEW_PATH} answered ${probe.status}${why}`);
    return null;
  }
  return load(name, cycle([OVERVIEW_PATH], (p) => ({ path: p, headers })), options);
}

/** Searches per kind of keyword in a --compare run (few: at 1M members a scanning search takes seconds). */
const COMPARE_PER_KIND = 20;

export async function compareRun(members: number): Promise<CompareRow> {
  const dir = await prepareState(members);
  const { sample } = await sampleMembers(dir);
  const keywords = buildKeywords(sample, KEYWORD_KINDS.length * COMPARE_PER_KIND, 11);
  const cookie = await openBenchSession(dir);
  const server = await startServer(dir, String(members));
  try {
    // Rows read do not depend on load: one request at a time (so D1 time is the query's, not a
    // queue's), every keyword once, so both sizes get the same searches of each kind. Bounded at 10
    // minutes all the same.
    const concurrency = 1;
    let w = 0;
    await load("warm-up", () => (w < 4 ? searchJob(keywords[w++]!) : null), { durationMs: 60_000, concurrency: 2 });
    let i = 0;
    const search = await load(`customer search @ ${members}`, () => (i < keywords.length ? searchJob(keywords[i++]!) : null), {
      durationMs: 10 * 60_000,
      concurrency,
      maxRequests: keywords.length,
    });
    printResult(search);
    if (search.requests < keywords.length) console.log(`    (stopped after 10 minutes: ${search.requests} of ${keywords.length} searches)`);
    const overview = await benchOverview(cookie, { durationMs: 60_000, concurrency: 1, maxRequests: 20 }, `dashboard overview @ ${members}`);
    if (overview) printResult(overview);
    return { members, search, overview };
  } finally {
    await server.stop();
  }
}
