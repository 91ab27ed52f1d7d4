// Seeds the local D1 (binding DB) and KV (binding CACHE) with a demo company for `wrangler dev`.
//
//   npm run seed                          demo data only (idempotent: run it as often as you like)
//   npm run seed -- --members 100000      plus 100,000 synthetic members (new random ids each run)
//   npm run seed -- --persist-to DIR      another local state directory (wrangler --persist-to)
//
// The SQL goes to a temp file run by `wrangler d1 execute DB --local --file`, which runs the whole
// file as one batch (one transaction). Demo rows have fixed ids and go in with INSERT OR IGNORE;
// ledger rows are only written for members that have none yet, so a second run changes nothing.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { cacheKeys } from "../src/loyalty/cache-keys.ts";
import { tokenStart } from "../src/loyalty/search/search-terms.ts";
import { DEMO_ACTIVITY_KEY_PREFIX, DEMO_ACTIVITY_WEEKS, demoActivityStatements } from "./lib/demo-activity.ts";
import { iconPng } from "./lib/member-icon.ts";
import { demoMembers, demoStatements, DEV_ADMIN_KEY, JOHN, REWARDS, TIERS } from "./lib/seed-demo.ts";
import { syntheticMembers } from "./lib/seed-members.ts";
import { COMPANY, memberStatements, q, SITE } from "./lib/seed-sql.ts";
import { persistArgs, runWrangler } from "./lib/wrangler.ts";

/** Synthetic members per `wrangler d1 execute` (one file, one transaction). */
const MEMBERS_PER_FILE = 200_000;

/** Whether the demo company already has the demo activity (scripts/lib/demo-activity.ts). */
async function hasDemoActivity(persistTo: string | undefined): Promise<boolean> {
  const { stdout } = await runWrangler(
    [
      "d1", "execute", "DB", "--local", ...persistArgs(persistTo), "--json", "--command",
      `SELECT count(*) AS n FROM points_ledger WHERE company_id = '${COMPANY}' AND idempotency_key LIKE '${DEMO_ACTIVITY_KEY_PREFIX}%'`,
    ],
    { capture: true },
  );
  const [result] = JSON.parse(stdout.slice(stdout.indexOf("["))) as { results: { n: number }[] }[];
  return (result?.results[0]?.n ?? 0) > 0;
}

const SUMMARY_SQL = `SELECT
  (SELECT count(*) FROM members WHERE company_id = '${COMPANY}') AS members,
  (SELECT count(*) FROM points_ledger WHERE company_id = '${COMPANY}') AS ledger_rows,
  (SELECT count(*) FROM rewards WHERE company_id = '${COMPANY}' AND active = 1) AS rewards,
  (SELECT count(*) FROM members_fts WHERE members_fts MATCH '"${tokenStart(COMPANY, "n")}john"') AS fts_john,
  (SELECT count(*) FROM members m WHERE m.company_id = '${COMPANY}' AND m.points <>
     coalesce((SELECT sum(l.delta) FROM points_ledger l WHERE l.company_id = m.company_id AND l.member_id = m.id), 0)) AS balance_mismatches;`;

interface Summary {
  members: number;
  ledger_rows: number;
  rewards: number;
  fts_john: number;
  balance_mismatches: number;
}

// ---------------------------------------------------------------------------------------------

function usage(): never {
  console.log(`Usage: npm run seed -- [--members N] [--persist-to DIR]

Seeds the local D1 and KV with the demo company ${COMPANY} (idempotent).
  --members N        also add N synthetic members to company ${COMPANY} (new random ids each run)
  --persist-to DIR   local state directory, passed to wrangler (default: wrangler's .wrangler/state)`);
  process.exit(0);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      members: { type: "string", default: "0" },
      "persist-to": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) usage();
  const extra = Number(values.members);
  if (!Number.isSafeInteger(extra) || extra < 0) throw new Error(`--members must be a whole number, not "${values.members}"`);
  const persistTo = values["persist-to"] ? path.resolve(values["persist-to"]) : undefined;

  const started = performance.now();
  const work = mkdtempSync(path.join(tmpdir(), "kounta-seed-"));
  try {
    // 1. D1: the demo company, then synthetic members in files of MEMBERS_PER_FILE.
    const demo = demoMembers();
    const now = Date.now();
    const files: { file: string; label: string }[] = [];
    const taken = { emails: new Set<string>(), cards: new Set<string>() };
    const demoSql = await demoStatements(demo);
    // Twelve weeks of sales and redemptions for the dashboard, the first time only.
    const activity = (await hasDemoActivity(persistTo))
      ? []
      : demoActivityStatements({ company: COMPANY, site: SITE, members: demo.filter((m) => m !== JOHN), rewards: REWARDS, now, q });
    demoSql.push(...activity);
    let remaining = extra;
    let part = 0;
    do {
      const batch = Math.min(remaining, MEMBERS_PER_FILE);
      const statements = part === 0 ? [...demoSql] : [];
      for (const s of memberStatements(syntheticMembers(batch, now, taken))) statements.push(s);
      remaining -= batch;
      if (remaining === 0) statements.push(SUMMARY_SQL);
      const file = path.join(work, `seed-${part}.sql`);
      writeFileSync(file, statements.join("\n") + "\n");
      files.push({ file, label: part === 0 ? `demo data${batch ? ` + ${batch} members` : ""}` : `${batch} members` });
      part++;
    } while (remaining > 0);
    const generatedMs = performance.now() - started;

    let summary: Summary | undefined;
    for (const [i, { file, label }] of files.entries()) {
      const t = performance.now();
      const { stdout } = await runWrangler(
        ["d1", "execute", "DB", "--local", ...persistArgs(persistTo), "--file", file, "--json"],
        { capture: true },
      );
      const results = JSON.parse(stdout.slice(stdout.indexOf("["))) as { results: unknown[] }[];
      if (i === files.length - 1) summary = results.at(-1)?.results[0] as Summary | undefined;
      console.log(`  D1: ${label}: ${results.length} statements in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }

    // 2. KV: icons for the demo members that have one. Only missing keys are written, so a second
    //    run changes nothing (and an icon replaced since is kept).
    const withIcons = demo.filter((m) => m.iconVersion !== null);
    const listed = await runWrangler(
      ["kv", "key", "list", "--binding", "CACHE", "--local", ...persistArgs(persistTo), "--prefix", cacheKeys.memberIcon(COMPANY, "")],
      { capture: true },
    );
    const existing = new Set(
      (JSON.parse(listed.stdout.slice(listed.stdout.indexOf("["))) as { name: string }[]).map((k) => k.name),
    );
    const missingIcons = withIcons.filter((m) => !existing.has(cacheKeys.memberIcon(COMPANY, m.id)));
    if (missingIcons.length > 0) {
      const bulkFile = path.join(work, "icons.json");
      writeFileSync(
        bulkFile,
        JSON.stringify(
          missingIcons.map((m) => ({
            key: cacheKeys.memberIcon(COMPANY, m.id),
            value: iconPng(m.id).toString("base64"),
            base64: true,
            metadata: { contentType: "image/png" },
          })),
        ),
      );
      await runWrangler(["kv", "bulk", "put", bulkFile, "--binding", "CACHE", "--local", ...persistArgs(persistTo)], {
        capture: true,
      });
    }

    const seconds = (performance.now() - started) / 1000;
    console.log(`Seeded company ${COMPANY} "Demo Café" (site ${SITE}) into ${persistTo ?? "the default local state (.wrangler/state)"}`);
    console.log(`  admin API key (local only): ${DEV_ADMIN_KEY}`);
    if (activity.length > 0) console.log(`  demo activity: ${DEMO_ACTIVITY_WEEKS} weeks of sales and redemptions up to today (written once)`);
    console.log(`  demo: ${demo.length} members (John Smith = ${JOHN.id}, Kounta customer 789), ${REWARDS.length + 1} rewards (one for Gold), ${TIERS.length} tiers, ${withIcons.length} icons in KV (${missingIcons.length} written now)`);
    if (extra > 0) console.log(`  synthetic: ${extra} members with random ids (SQL generated in ${(generatedMs / 1000).toFixed(1)} s)`);
    if (summary) {
      console.log(
        `  now: ${summary.members} members, ${summary.ledger_rows} ledger rows, ${summary.rewards} active rewards; ` +
          `FTS "${tokenStart(COMPANY, "n")}john" -> ${summary.fts_john} members; balance != ledger sum: ${summary.balance_mismatches}`,
      );
      if (summary.fts_john < 1) throw new Error("the member search index is empty: did the members_fts triggers run?");
      if (summary.balance_mismatches > 0) throw new Error(`${summary.balance_mismatches} members' balance differs from their ledger`);
    }
    console.log(`Done in ${seconds.toFixed(1)} s`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  console.error(`seed failed: ${message}`);
  if (message.includes("no such table")) {
    console.error("The local database has no tables yet: run `npm run db:migrate:local` (with the same --persist-to) first.");
  }
  process.exit(1);
});
