import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MERGE_STEPS_PER_RUN, mergeSearchIndexJob, mergeSearchIndexNow } from "../../src/jobs/merge-search-index";
import { scheduledJobs } from "../../src/jobs/scheduled";
import { Logger } from "../../src/lib/logger";
import { searchIndexMergeStep } from "../../src/loyalty/search/search-index";
import { toSql } from "../../src/storage/sql";
import { buildSearchTerms } from "../../src/loyalty/search/search-terms";
import { members } from "../../src/storage/schema";
import { db, getJson, kountaUrl, seedCompany } from "../harness";

// The cron merges members_fts's segments (src/loyalty/search/search-index.ts, migration 0019).

interface IndexShape {
  /** Segments on each level, lowest first. */
  levels: number[];
  /** Levels with a merge under way. */
  merging: number;
}

/**
 * The segments of members_fts, read from FTS5's structure record (row 10 of members_fts_data; the
 * format is described at the top of SQLite's fts5_index.c): a 4-byte cookie, then varints for the
 * number of levels, of segments and the write counter, then per level the segments in an ongoing
 * merge and the segment count, each segment its id and first and last page.
 */
async function indexShape(): Promise<IndexShape> {
  const row = await env.DB.prepare("SELECT block FROM members_fts_data WHERE id = 10").first<{ block: ArrayBuffer | number[] }>();
  const bytes = new Uint8Array(row!.block as ArrayBuffer);
  // The other format (FTS5's structure V2, for contentless_delete tables) starts with ff 00 00 01.
  expect([...bytes.slice(0, 4)]).not.toEqual([0xff, 0x00, 0x00, 0x01]);
  let i = 4;
  const varint = () => {
    let value = 0;
    for (;;) {
      const byte = bytes[i++]!;
      value = value * 128 + (byte & 0x7f);
      if (!(byte & 0x80)) return value;
    }
  };
  const nLevel = varint();
  const total = varint();
  varint(); // write counter
  const shape: IndexShape = { levels: [], merging: 0 };
  for (let level = 0; level < nLevel; level++) {
    const inMerge = varint();
    const segments = varint();
    for (let s = 0; s < segments * 3; s++) varint();
    shape.levels.push(segments);
    if (inMerge > 0) shape.merging += 1;
  }
  expect(segmentsOf(shape)).toBe(total);
  expect(i).toBe(bytes.length);
  return shape;
}

function segmentsOf(shape: IndexShape): number {
  return shape.levels.reduce((a, b) => a + b, 0);
}
const segments = segmentsOf;

async function found(companyId: string, keyword: string): Promise<string[]> {
  const { status, body } = await getJson(kountaUrl("customer-search", { keyword, company_id: companyId }));
  expect(status).toBe(200);
  return Object.keys(body.members).sort();
}

/** `count` members written in one transaction (one batch), each with names and an email of its own. */
async function addMembersAtOnce(companyId: string, count: number, lastName: string): Promise<void> {
  const now = Date.now();
  const rows = Array.from({ length: count }, (_, i) => {
    const firstName = `Ff${i}x${Math.random().toString(36).slice(2, 8)}`;
    const m = { companyId, firstName: i === 5 ? "Ff5" : firstName, lastName, email: `${firstName.toLowerCase()}@${lastName.toLowerCase()}.example`, phone: null, cardNumber: null, status: "active" as const };
    return { ...m, id: `mem_${lastName.toLowerCase()}_${companyId}_${i}`, searchTerms: buildSearchTerms(m, "61"), createdAt: now, updatedAt: now };
  });
  // D1 binds at most 100 values per statement: a few rows per insert, all in one batch.
  const inserts = [];
  for (let i = 0; i < rows.length; i += 5) inserts.push(db.insert(members).values(rows.slice(i, i + 5)));
  await db.batch(inserts as [(typeof inserts)[number], ...typeof inserts]);
}

const lines: { message: string; fields: Record<string, unknown> }[] = [];
const logger = new Logger();
logger.info = (message: string, fields: Record<string, unknown> = {}) => void lines.push({ message, fields });

/** Merges until nothing is left to merge (what the cron arrives at). */
async function mergeAll(): Promise<void> {
  for (let run = 0; run < 10; run++) {
    if ((await mergeSearchIndexNow(env, logger, { steps: 50 })).done) return;
  }
  throw new Error("the search index was still merging after 500 steps");
}

describe("merging the search index's segments", () => {
  it("migration 0019 has FTS5 merge a level's segments once there are two", async () => {
    const row = await env.DB.prepare("SELECT v FROM members_fts_config WHERE k = 'usermerge'").first<{ v: number }>();

    expect(row?.v).toBe(2);
  });

  it("each member written alone adds a segment; a run of the job leaves one per level, and search finds the same members", async () => {
    await mergeAll();
    const company = await seedCompany();
    const before = segments(await indexShape());
    const ids: string[] = [];
    // Six transactions of their own (as six joins at the counter would be): six new segments (FTS5's
    // own automerge waits for 64 pages written).
    for (const [i, name] of ["Ada", "Ada", "Ben", "Bea", "Cy", "Ada"].entries()) ids.push(await company.addMember({ firstName: name, lastName: `Merge${i}` }));
    const written = await indexShape();
    expect(segments(written)).toBeGreaterThan(before + 1);
    expect(written.levels.some((n) => n >= 2)).toBe(true);
    const searches = { ada: await found(company.id, "Ada"), be: await found(company.id, "be"), merge3: await found(company.id, "Bea Merge3") };
    expect(searches.ada).toEqual([ids[0], ids[1], ids[5]].sort());
    expect(searches.be).toEqual([ids[2], ids[3]].sort());
    expect(searches.merge3).toEqual([ids[3]]);

    lines.length = 0;
    const progress = await mergeSearchIndexNow(env, logger);

    expect(progress.done).toBe(true);
    expect(progress.merged).toBeGreaterThanOrEqual(1);
    expect(progress.steps).toBe(progress.merged + 1);
    const after = await indexShape();
    expect(after.levels.every((n) => n <= 1)).toBe(true);
    expect(after.merging).toBe(0);
    expect(segments(after)).toBeLessThan(segments(written));
    // FTS5's own check of the index against the members table (throws when they disagree).
    await env.DB.prepare("INSERT INTO members_fts(members_fts, rank) VALUES ('integrity-check', 1)").run();
    expect(await found(company.id, "Ada")).toEqual(searches.ada);
    expect(await found(company.id, "be")).toEqual(searches.be);
    expect(await found(company.id, "Bea Merge3")).toEqual(searches.merge3);
    expect(lines).toEqual([
      { message: "search index merged", fields: { steps: progress.steps, merged: progress.merged, done: true } },
    ]);
  });

  it("with nothing to merge a run sends one batch and logs nothing", async () => {
    await mergeAll();
    lines.length = 0;

    const progress = await mergeSearchIndexNow(env, logger);

    expect(progress).toEqual({ steps: 1, merged: 0, done: true });
    expect(lines).toEqual([]);
  });

  it("stops at its step budget and the next run carries on", async () => {
    await mergeAll();
    const company = await seedCompany();
    // Three transactions of 40 members each: segments of several pages, so a merge of one page a
    // step takes several steps.
    for (let t = 0; t < 3; t++) await addMembersAtOnce(company.id, 40, `Budget${t}`);
    expect((await indexShape()).levels.some((n) => n >= 2)).toBe(true);

    // One page a step: a step merges only part of what there is.
    const first = await mergeSearchIndexNow(env, logger, { steps: 1, pages: 1 });

    expect(first).toEqual({ steps: 1, merged: 1, done: false });
    const partway = await indexShape();
    expect(partway.merging > 0 || partway.levels.some((n) => n >= 2)).toBe(true);
    const rest = await mergeSearchIndexNow(env, logger, { steps: MERGE_STEPS_PER_RUN * 10, pages: 1 });
    expect(rest.done).toBe(true);
    expect((await indexShape()).levels.every((n) => n <= 1)).toBe(true);
    expect(await found(company.id, "Budget1")).toHaveLength(20);
    expect(await found(company.id, "Budget2 Ff5")).toHaveLength(1);
  });

  it("a step is FTS5's 'merge' command with a positive page count, never a whole rewrite", () => {
    expect(toSql(searchIndexMergeStep())).toEqual({ sql: "INSERT INTO members_fts(members_fts, rank) VALUES ('merge', 200)", params: [] });
    expect(toSql(searchIndexMergeStep(5)).sql).toBe("INSERT INTO members_fts(members_fts, rank) VALUES ('merge', 5)");
    expect(() => searchIndexMergeStep(0)).toThrow(RangeError);
    expect(() => searchIndexMergeStep(-200)).toThrow(RangeError);
    expect(() => searchIndexMergeStep(1.5)).toThrow(RangeError);
  });

  it("runs in the cron, after the search re-index", () => {
    const names = scheduledJobs.map((j) => j.name);
    expect(scheduledJobs).toContain(mergeSearchIndexJob);
    expect(names.indexOf("merge-search-index")).toBe(names.indexOf("reindex-search") + 1);
  });
});
