import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MERGE_STEPS_PER_RUN, mergeSearchIndexJob, mergeSearchIndexNow } from "../../src/jobs/merge-search-index";
import { scheduledJobs } from "../../src/jobs/scheduled";
import { Logger } from "../../src/lib/logger";
import { searchIndexMergeStep } from "../../src/loyalty/search/search-index";
import { toSql } from "../../src/storage/sql";
import { getJson, kountaUrl, seedCompany } from "../harness";

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
  varint(); // segments, all levels
  varint(); // write counter
  const shape: IndexShape = { levels: [], merging: 0 };
  for (let level = 0; level < nLevel; level++) {
    const inMerge = varint();
    const segments = varint();
    for (let s = 0; s < segments * 3; s++) varint();
    shape.levels.push(segments);
    if (inMerge > 0) shape.merging += 1;
  }
  return shape;
}

const segments = (shape: IndexShape) => shape.levels.reduce((a, b) => a + b, 0);

async function found(companyId: string, keyword: string): Promise<string[]> {
  const { status, body } = await getJson(kountaUrl("customer-search", { keyword, company_id: companyId }));
  expect(status).toBe(200);
  return Object.keys(body.members).sort();
}

const lines: { message: string; fields: Record<string, unknown> }[] = [];
const logger = new Logger();
logger.info = (message: string, fields: Record<string, unknown> = {}) => void lines.push({ message, fields });

/** Merges until nothing is left to merge (what the cron arrives at). */
async function mergeAll(): Promise<number> {
  let steps = 0;
  for (;;) {
    const progress = await mergeSearchIndexNow(env, logger, { steps: 50 });
    steps += progress.steps;
    if (progress.done) return steps;
  }
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
    // Six transactions of their own (as six joins at the counter would be): six new segments, of which FTS5's own
    // automerge folds four into one on the next level.
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
    expect(progress.rowsWritten).toBeGreaterThan(0);
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
      { message: "search index merged", fields: { steps: progress.steps, merged: progress.merged, rows_written: progress.rowsWritten, done: true } },
    ]);
  });

  it("with nothing to merge a run sends one statement and logs nothing", async () => {
    await mergeAll();
    lines.length = 0;

    const progress = await mergeSearchIndexNow(env, logger);

    expect(progress).toEqual({ steps: 1, merged: 0, rowsWritten: expect.any(Number), done: true });
    expect(lines).toEqual([]);
  });

  it("stops at its step budget and the next run carries on", async () => {
    await mergeAll();
    const company = await seedCompany();
    for (const name of ["Dot", "Dan", "Dee"]) await company.addMember({ firstName: name, lastName: "Budget" });
    expect((await indexShape()).levels.some((n) => n >= 2)).toBe(true);

    // One page a step: a step merges only part of what there is.
    const first = await mergeSearchIndexNow(env, logger, { steps: 1, pages: 1 });

    expect(first).toMatchObject({ steps: 1, merged: 1, done: false });
    const rest = await mergeSearchIndexNow(env, logger, { steps: MERGE_STEPS_PER_RUN * 10, pages: 1 });
    expect(rest.done).toBe(true);
    expect((await indexShape()).levels.every((n) => n <= 1)).toBe(true);
    expect(await found(company.id, "Budget")).toHaveLength(3);
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
