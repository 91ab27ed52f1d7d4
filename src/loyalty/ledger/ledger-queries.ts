import { sql, type SQL } from "drizzle-orm";
import type { Database } from "../../storage/db";
import { all, batch, query } from "../../storage/sql";
import type { LedgerReason, RedemptionStatus, RewardKind } from "../../storage/schema";
import { toPage, windowConditions, type ListWindow, type Page } from "../listing";

// Reading the ledger and the redemptions of a member or of a whole company, newest first.

export interface LedgerRow {
  id: string;
  member_id: string;
  delta: number;
  reason: LedgerReason;
  site_id: string | null;
  order_id: string | null;
  reward_id: string | null;
  actor: string | null;
  note: string | null;
  created_at: number;
}

export const ledgerColumns = sql`l.id, l.member_id, l.delta, l.reason, l.site_id, l.order_id, l.reward_id, l.actor, l.note, l.created_at`;

export interface RedemptionListRow {
  id: string;
  member_id: string;
  reward_id: string;
  kind: RewardKind;
  order_id: string;
  site_id: string | null;
  points: number;
  amount_cents: number | null;
  status: RedemptionStatus;
  failure_reason: string | null;
  kounta_ref: string | null;
  created_at: number;
  updated_at: number;
}

export interface ListScope {
  companyId: string;
  /** One member's rows; the whole company's when absent. */
  memberId?: string;
}

/** Null only for a member scope, when the company has no such member. */
type ScopedPage<S extends ListScope, T> = Promise<S extends { memberId: string } ? Page<T> | null : Page<T>>;

/** The window as SQL conditions on a table aliased `alias` (always ANDed after the company filter). */
function windowSql(alias: string, window: ListWindow): SQL {
  const parts = windowConditions(alias, window);
  return parts.length ? sql`AND ${sql.join(parts, sql` AND `)}` : sql``;
}

function memberCondition(alias: string, scope: ListScope): SQL {
  return scope.memberId === undefined ? sql`` : sql`AND ${sql.raw(alias)}.member_id = ${scope.memberId}`;
}

/** Null when the scope names a member this company does not have. */
async function listInScope<Row>(db: Database, scope: ListScope, rowsQuery: SQL): Promise<Row[] | null> {
  if (scope.memberId === undefined) return all(db, query<Row>(rowsQuery));
  const [members, rows] = await batch(db, [
    query<{ id: string }>(sql`SELECT id FROM members WHERE company_id = ${scope.companyId} AND id = ${scope.memberId}`),
    query<Row>(rowsQuery),
  ]);
  return members.length ? rows : null;
}

export async function listLedger<S extends ListScope>(db: Database, scope: S, window: ListWindow): ScopedPage<S, LedgerRow> {
  const rows = await listInScope<LedgerRow>(
    db,
    scope,
    sql`SELECT ${ledgerColumns} FROM points_ledger l
      WHERE l.company_id = ${scope.companyId} ${memberCondition("l", scope)} ${windowSql("l", window)}
      ORDER BY l.created_at DESC, l.id DESC LIMIT ${window.limit + 1}`,
  );
  return (rows && toPage(rows, window.limit)) as Awaited<ScopedPage<S, LedgerRow>>;
}

export async function listRedemptions<S extends ListScope>(
  db: Database,
  scope: S,
  window: ListWindow & { status?: RedemptionStatus | undefined },
): ScopedPage<S, RedemptionListRow> {
  const status = window.status === undefined ? sql`` : sql`AND d.status = ${window.status}`;
  const rows = await listInScope<RedemptionListRow>(
    db,
    scope,
    sql`SELECT d.id, d.member_id, d.reward_id, d.kind, d.order_id, d.site_id, d.points, d.amount_cents, d.status,
        d.failure_reason, d.kounta_ref, d.created_at, d.updated_at
      FROM redemptions d
      WHERE d.company_id = ${scope.companyId} ${memberCondition("d", scope)} ${status} ${windowSql("d", window)}
      ORDER BY d.created_at DESC, d.id DESC LIMIT ${window.limit + 1}`,
  );
  return (rows && toPage(rows, window.limit)) as Awaited<ScopedPage<S, RedemptionListRow>>;
}
