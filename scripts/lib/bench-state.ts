// The benchmark's local state: .wrangler/bench/<N> (N synthetic members, a year of ledger history), a
// dashboard session written into it, and the members the scenarios ask for.

import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { sha256Base64Url } from "../../src/lib/crypto.ts";
import { searchIndexMergeStep } from "../../src/loyalty/search/search-index.ts";
import { toSql } from "../../src/storage/sql.ts";
import { applyMigrations, d1Query, executeSqlFile, ROOT, runScript } from "./wrangler.ts";
import { COMPANY, HISTORY_MEMBERS_PER_STATEMENT, HISTORY_ROWS_PER_MEMBER, SESSION_COOKIE, SITE } from "./bench-config.ts";
import { rel } from "./bench-server.ts";
import { customerIdFor, type MemberRow } from "./bench-workload.ts";

function stateDir(members: number): string {
  return path.join(ROOT, ".wrangler", "bench", String(members));
}

/** Synthetic members have ids of "mem_" + 16 characters; the demo's are shorter. */
const SYNTHETIC = `company_id = '${COMPANY}' AND length(id) = 20`;

async function syntheticCount(dir: string): Promise<number | null> {
  try {
    const [rows] = await d1Query<{ n: number }>(`SELECT count(*) AS n FROM members WHERE ${SYNTHETIC}`, dir);
    return rows?.[0]?.n ?? null;
  } catch {
    return null;
  }
}

export async function prepareState(members: number): Promise<string> {
  const dir = stateDir(members);
  const started = performance.now();
  let existing: number | null = null;
  if (existsSync(path.join(dir, "v3", "d1"))) {
    await applyMigrations(dir, { capture: true });
    existing = await syntheticCount(dir);
  }
  if (existing === members) {
    // Reuse the members; drop the KV state (cards and catalogue cached by the last run) so cold
    // lookups are cold again, and put the demo icons back with the (idempotent) demo seed.
    console.log(`State ${rel(dir)}: reusing ${members} members (KV cache cleared)`);
    rmSync(path.join(dir, "v3", "kv"), { recursive: true, force: true });
    // The traces wrangler recorded when earlier versions of this script left its trace store on
    // (over 1 GB after a few runs); nothing reads them.
    rmSync(path.join(dir, "v3", "observability"), { recursive: true, force: true });
    await runScript("seed.ts", ["--persist-to", dir]);
  } else {
    console.log(`State ${rel(dir)}: seeding ${members} members${existing !== null ? ` (found ${existing})` : ""}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    await applyMigrations(dir, { capture: true });
    await runScript("seed.ts", ["--persist-to", dir, "--members", String(members)]);
  }
  await seedHistory(dir);
  await mergeSearchIndex(dir);
  console.log(`State ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return dir;
}

/** Merge steps per `wrangler d1 execute` (each writes about 200 pages). */
const MERGE_STEPS_PER_CALL = 25;

/**
 * The search index as the cron keeps it (the merge-search-index job, src/loyalty/search/search-index.ts):
 * its segments merged until a step finds nothing to merge. Seeding writes the members in large
 * transactions, which leave segments of their own; a deployed index has had the job run every 5
 * minutes. The job's own statement, several steps a call, each followed by the total changes:
 * FTS5's sign that a step merged something is that total moving by 2 or more (a step with nothing to
 * merge moves it by 1).
 */
async function mergeSearchIndex(dir: string): Promise<void> {
  const total = "SELECT total_changes() AS n;";
  const step = `${toSql(searchIndexMergeStep()).sql};`;
  const command = [total, ...Array.from({ length: MERGE_STEPS_PER_CALL }, () => `${step}\n${total}`)].join("\n");
  let steps = 0;
  for (let call = 0; call < 40; call++) {
    const totals = (await d1Query<{ n: number }>(command, dir)).flatMap((rows) => (rows[0] && "n" in rows[0] ? [rows[0].n] : []));
    for (let i = 1; i < totals.length; i++) {
      steps += 1;
      if (totals[i]! - totals[i - 1]! < 2) return void console.log(`Search index: merged in ${steps - 1} step(s)`);
    }
  }
  console.log(`Search index: still merging after ${steps} steps (the run goes on; search may measure slower)`);
}

/** A member's history rows carry keys "bench:<pk>:<n>" (no other writer uses the prefix). */
const HISTORY_KEY = "bench:";

/**
 * A year of ledger history for the synthetic members, once per state: per member two earn rows and
 * one redemption of a demo reward (spending exactly what the two earned, so every balance, and the
 * balance = ledger invariant, stay as the seed left them), at days and hours spread by the member's
 * pk over the last 365 days. Plain INSERT ... SELECT with a recursive CTE for the row number: every
 * row fires the triggers of migration 0015, as any writer's would, so the overview's totals count it.
 */
async function seedHistory(dir: string): Promise<void> {
  const [flags, range] = await d1Query<{ n: number }>(
    `SELECT EXISTS (SELECT 1 FROM points_ledger WHERE company_id = '${COMPANY}' AND idempotency_key >= '${HISTORY_KEY}' AND idempotency_key < 'bench;') AS n;
     SELECT min(pk) AS n FROM members WHERE ${SYNTHETIC} UNION ALL SELECT max(pk) FROM members WHERE ${SYNTHETIC}`,
    dir,
  );
  if (flags?.[0]?.n === 1) return;
  const [low, high] = (range ?? []).map((r) => r.n);
  if (low === null || low === undefined || high === null || high === undefined) return;
  const started = performance.now();
  const now = Date.now();
  const rewardIds = ["rwd_coffee", "rwd_5off", "rwd_pay_points", "rwd_cake", "rwd_20pct"];
  const statements: string[] = [];
  for (let from = low; from <= high; from += HISTORY_MEMBERS_PER_STATEMENT) {
    const to = Math.min(high, from + HISTORY_MEMBERS_PER_STATEMENT - 1);
    // Row k of member pk: 0 to 364 days back (never before the member joined) at a time of day from
    // the pk; the earns are 5 to 24 points each, the redemption (the last row) their sum.
    statements.push(`WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < ${HISTORY_ROWS_PER_MEMBER})
INSERT INTO points_ledger (id, company_id, member_id, delta, reason, site_id, reward_id, actor, note, idempotency_key, created_at)
SELECT 'led_bench_' || m.pk || '_' || k.n, m.company_id, m.id,
  CASE WHEN k.n < ${HISTORY_ROWS_PER_MEMBER} THEN 5 + (m.pk * k.n) % 20 ELSE -(${Array.from({ length: HISTORY_ROWS_PER_MEMBER - 1 }, (_, i) => `(5 + (m.pk * ${i + 1}) % 20)`).join(" + ")}) END,
  CASE WHEN k.n < ${HISTORY_ROWS_PER_MEMBER} THEN 'earn' ELSE 'redeem' END,
  '${SITE}',
  CASE WHEN k.n = ${HISTORY_ROWS_PER_MEMBER} THEN json_extract('${JSON.stringify(rewardIds)}', '$[' || (m.pk % ${rewardIds.length}) || ']') END,
  'bench', 'Synthetic history', '${HISTORY_KEY}' || m.pk || ':' || k.n,
  max(m.created_at + k.n, ${now} - ((m.pk * (7 + 31 * k.n)) % 365) * 86400000 - (m.pk * 7919 + k.n * 104729) % 86400000)
FROM members m CROSS JOIN k
WHERE m.pk BETWEEN ${from} AND ${to} AND +m.company_id = '${COMPANY}' AND length(m.id) = 20;`);
  }
  await executeSqlFile(statements, dir);
  const members = high - low + 1;
  console.log(`  history: about ${(members * HISTORY_ROWS_PER_MEMBER).toLocaleString("en-AU")} ledger rows over 365 days in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/**
 * A dashboard session of the demo company, written straight into dashboard_sessions as a sign-in
 * would write it (src/storage/dashboard-sessions.ts: only the SHA-256 of the id is stored); the
 * Cookie header that carries it. Valid for the 7 days a session may live (12 hours idle).
 */
export async function openBenchSession(dir: string): Promise<string> {
  const id = randomBytes(32).toString("base64url");
  const idHash = await sha256Base64Url(id);
  const now = Date.now();
  await d1Query(
    `INSERT INTO dashboard_sessions (id_hash, company_id, csrf_token, created_at, last_seen_at, expires_at)
     VALUES ('${idHash}', '${COMPANY}', '${randomBytes(32).toString("base64url")}', ${now}, ${now}, ${now + 7 * 24 * 3600_000})`,
    dir,
  );
  return `${SESSION_COOKIE}=${id}`;
}

/** Links per statement when linking the looked-up members to their Kounta customers. */
const LINKS_PER_STATEMENT = 500;

/**
 * Links each of these members to the Kounta customer the bench looks them up with
 * (bench-workload.ts), as a till's regulars were linked by their first lookup long ago: a cold
 * lookup (no card in KV or memory) then reads only, as most do, and the first run against a freshly
 * seeded state measures what later runs do. A pair already linked is left as it is. (The first
 * lookup of a pair also writes the link: one round trip to the primary more, docs/benchmark.md.)
 */
export async function linkCustomers(dir: string, memberIds: string[]): Promise<void> {
  const linkedAt = Date.UTC(2026, 0, 1);
  const statements: string[] = [];
  for (let i = 0; i < memberIds.length; i += LINKS_PER_STATEMENT) {
    const values = memberIds
      .slice(i, i + LINKS_PER_STATEMENT)
      .map((id) => `('${COMPANY}', '${customerIdFor(id)}', '${id}', ${linkedAt})`)
      .join(",\n");
    statements.push(`INSERT INTO customer_links (company_id, kounta_customer_id, member_id, linked_at) VALUES\n${values}\nON CONFLICT DO NOTHING;`);
  }
  await executeSqlFile(statements, dir);
}

/** Members to take keywords from (any of the company's), and synthetic member ids to look up. */
export async function sampleMembers(dir: string): Promise<{ sample: MemberRow[]; ids: string[] }> {
  const [sample, idRows] = await d1Query<MemberRow & { id: string }>(
    `SELECT id, first_name, last_name, email, phone, card_number FROM members WHERE company_id = '${COMPANY}' ORDER BY random() LIMIT 3000;
     SELECT id FROM members WHERE ${SYNTHETIC} LIMIT 20000`,
    dir,
  );
  return { sample: sample ?? [], ids: (idRows ?? []).map((r) => r.id) };
}

/** Members of the demo company with points enough for a long run of 1-point redemptions. */
export async function richMembers(dir: string): Promise<string[]> {
  const [rows] = await d1Query<{ id: string }>(`SELECT id FROM members WHERE company_id = '${COMPANY}' AND points >= 2000 LIMIT 100`, dir);
  return (rows ?? []).map((r) => r.id);
}
