import { listLedger, listRedemptions, type LedgerRow, type RedemptionListRow } from "../../loyalty/ledger/ledger-queries";
import { decodeCursor, type ListWindow, type Page } from "../../loyalty/listing";
import { memberLabels, MEMBER_LABELS_MAX, type MemberLabel } from "../../loyalty/members/member-names";
import { CSV_BOM, csvLine, type CsvValue } from "../../lib/csv-export";
import type { Database } from "../../storage/db";
import type { RedemptionStatus } from "../../storage/schema";
import { actorLabel, memberLabelName, reasonLabels, redemptionStatusLabels, redemptionValue } from "./activity-labels";

// The Activity downloads: every ledger row or redemption matching the filters, as CSV
// (src/lib/csv-export.ts: text cells quoted and defused, numbers as digits), newest first.
//
// Bounded work: rows are read 200 at a time through the same listings (and cursor) as the page and
// the admin API, and the members' names once per 1,000 rows (one statement each), so the largest
// file, EXPORT_MAX_ROWS rows, is 500 + 100 D1 queries (a Worker may make about 1,000). The file is
// built in memory (about 20 MB at most) before it is sent, so a failure half-way answers an error
// page rather than a file that looks complete.

/** The most rows a download holds (the newest). */
export const EXPORT_MAX_ROWS = 100_000;
const CHUNK = 200;
const NAMES_EVERY = MEMBER_LABELS_MAX;

export interface ExportContext {
  db: Database;
  companyId: string;
  pointsLabel: string;
  currency: string;
  rewardTitles: Map<string, string>;
}

export interface CsvFile {
  body: Uint8Array[];
  rows: number;
  /** More rows matched than the file holds. */
  truncated: boolean;
}

/** "2026-03-01 09:41:07": what a spreadsheet reads as a date and time. */
const utc = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace("T", " ");

interface Sheet<Row> {
  header: string[];
  line: (row: Row, member: MemberLabel | undefined) => CsvValue[];
  read: (window: ListWindow) => Promise<Page<Row>>;
}

async function writeCsv<Row extends { member_id: string }>(
  ctx: ExportContext,
  sheet: Sheet<Row>,
  window: ListWindow,
  maxRows: number,
): Promise<CsvFile> {
  const encoder = new TextEncoder();
  const body = [encoder.encode(CSV_BOM + csvLine(sheet.header))];
  let pending: Row[] = [];
  let rows = 0;
  let next: ListWindow | null = { ...window, after: undefined };
  let truncated = false;
  while (next) {
    const page = await sheet.read({ ...next, limit: Math.min(CHUNK, maxRows - rows) });
    pending.push(...page.data);
    rows += page.data.length;
    const after = page.next_cursor ? decodeCursor(page.next_cursor) : null;
    truncated = after !== null && rows >= maxRows;
    next = after && !truncated ? { ...next, after } : null;
    if (pending.length + CHUNK > NAMES_EVERY || !next) {
      const members = await memberLabels(ctx.db, ctx.companyId, pending.map((r) => r.member_id));
      body.push(encoder.encode(pending.map((r) => csvLine(sheet.line(r, members.get(r.member_id)))).join("")));
      pending = [];
    }
  }
  return { body, rows, truncated };
}

function memberCells(memberId: string, member: MemberLabel | undefined): CsvValue[] {
  return [memberLabelName(member), member?.email ?? null, memberId];
}

export function ledgerCsv(ctx: ExportContext, window: ListWindow, maxRows = EXPORT_MAX_ROWS): Promise<CsvFile> {
  return writeCsv<LedgerRow>(
    ctx,
    {
      header: ["Time (UTC)", "Member", "Email", "Member ID", ctx.pointsLabel, "What", "Note", "By", "Reward", "Site", "Order", "Entry ID"],
      line: (r, member) => [
        utc(r.created_at),
        ...memberCells(r.member_id, member),
        r.delta,
        reasonLabels[r.reason],
        r.note,
        actorLabel(r.actor),
        r.reward_id ? (ctx.rewardTitles.get(r.reward_id) ?? r.reward_id) : null,
        r.site_id,
        r.order_id,
        r.id,
      ],
      read: (w) => listLedger(ctx.db, { companyId: ctx.companyId }, w),
    },
    window,
    maxRows,
  );
}

export function redemptionsCsv(
  ctx: ExportContext,
  window: ListWindow & { status: RedemptionStatus | undefined },
  maxRows = EXPORT_MAX_ROWS,
): Promise<CsvFile> {
  return writeCsv<RedemptionListRow>(
    ctx,
    {
      header: ["Time (UTC)", "Member", "Email", "Member ID", "Reward", ctx.pointsLabel, "Worth", "Status", "Why it failed", "Site", "Order", "Redemption ID"],
      line: (r, member) => [
        utc(r.created_at),
        ...memberCells(r.member_id, member),
        ctx.rewardTitles.get(r.reward_id) ?? r.reward_id,
        r.points,
        redemptionValue(r, ctx.currency) || null,
        redemptionStatusLabels[r.status],
        r.failure_reason,
        r.site_id,
        r.order_id,
        r.id,
      ],
      read: (w) => listRedemptions(ctx.db, { companyId: ctx.companyId }, { ...w, status: window.status }),
    },
    window,
    maxRows,
  );
}

/** "loyalty-ledger-from-2026-03-01-to-2026-03-31.csv"; the day it was made when no dates; "-newest-100000" when cut short. */
export function csvFileName(kind: "ledger" | "redemptions", filters: { from?: string; to?: string; status?: string }, file: CsvFile, now = Date.now()): string {
  const safe = (s: string) => s.replace(/[^0-9A-Za-z-]/g, "");
  const parts = ["loyalty", kind];
  if (filters.status) parts.push(safe(filters.status));
  if (filters.from) parts.push("from", safe(filters.from));
  if (filters.to) parts.push("to", safe(filters.to));
  if (!filters.from && !filters.to) parts.push(new Date(now).toISOString().slice(0, 10));
  if (file.truncated) parts.push("newest", String(file.rows));
  return `${parts.join("-")}.csv`;
}
