import { sql, type SQL } from "drizzle-orm";
import type { KountaOrder } from "../../kounta-api/types";
import { newId } from "../../lib/crypto";
import { formatMoney } from "../../lib/money";
import { isPointsPayment } from "./earning-rules-engine";
import { refreshMemberCard, type LoyaltyCache } from "../cache";
import type { Database } from "../../storage/db";
import { all, batch, query, type Query } from "../../storage/sql";
import { earnKey, isRefundKeyOf, refundKey, returnKeySql, unearnKey, unearnKeySql } from "../ledger/keys";
import { evaluateTierStatements } from "../tiers/evaluate";

// Undoing what an order changed, all in D1. Every ledger row is written with its balance change in
// one batch, the change conditional on the row's insert (ON CONFLICT DO NOTHING, then
// `WHERE changes() = 1`): the idempotency key (UNIQUE per company) makes any number of calls
// change a balance once. What is left of an order's earning is computed inside the INSERT, so a
// refund and a rejection racing each other can never reverse more than the order earned.
//
// Keys, per company (their formats: ../ledger/keys.ts):
//   earn:<order>                 what the order earned (written by earning)
//   refund:<order>:<payment>     minus points for one refund payment (in proportion, capped)
//   unearn:<order>               minus what is left of the earning when the order is rejected or deleted
//   return:<redemption>          plus the points of an applied redemption on that order
// Reversals may take a balance below zero (a member spent points the order earned).

/** Optional on both: the KV cache to refresh the member cards in afterwards (skipped without it). */
interface CacheInput {
  cache?: LoyaltyCache;
}

/**
 * What is left of the earning in ledger row `e` (the order's earn:<order> row): earned, minus refund
 * reversals; 0 once unearned. `orderId` is SQL (a bound value or an expression over another row).
 */
export function remainingOfEarning(companyId: string, orderId: SQL): SQL {
  return sql`(CASE WHEN EXISTS (SELECT 1 FROM points_ledger u WHERE u.company_id = ${companyId} AND u.idempotency_key = ${unearnKeySql(orderId)})
      THEN 0
      ELSE e.delta + coalesce((SELECT sum(r.delta) FROM points_ledger r
        WHERE r.company_id = ${companyId} AND ${isRefundKeyOf(sql`r.idempotency_key`, orderId)}), 0)
    END)`;
}

const remainingSql = (companyId: string, orderId: string) => remainingOfEarning(companyId, sql`${orderId}`);

/** What is left of the spend row `e` counted toward a tier (its spent_cents less the refunds'), as remainingOfEarning. */
function remainingSpendSql(companyId: string, orderId: string): SQL {
  return sql`(coalesce(e.spent_cents, 0) + coalesce((SELECT sum(r.spent_cents) FROM points_ledger r
    WHERE r.company_id = ${companyId} AND ${isRefundKeyOf(sql`r.idempotency_key`, sql`${orderId}`)}), 0))`;
}

/**
 * The order's member's level, evaluated again in the same batch when this call wrote one of the rows
 * `ids` (a repeat changes no level): what the order earned stops counting toward it.
 */
function evaluateOrderMember(companyId: string, orderId: string, now: number, ids: string[]) {
  return evaluateTierStatements({
    filter: sql`m.company_id = ${companyId} AND m.id = (SELECT member_id FROM points_ledger
      WHERE company_id = ${companyId} AND idempotency_key = ${earnKey(orderId)})
      AND EXISTS (SELECT 1 FROM points_ledger WHERE id IN (${sql.join(ids.map((id) => sql`${id}`), sql`, `)}))`,
    now,
    reason: "reversed",
  });
}

/** Credits (or debits) the member of ledger row `ledgerId` by its delta, only if the previous statement inserted it. */
function applyRowSql(companyId: string, ledgerId: string, now: number) {
  return query(sql`
    UPDATE members SET points = points + (SELECT delta FROM points_ledger WHERE id = ${ledgerId}), updated_at = ${now}
    WHERE company_id = ${companyId} AND id = (SELECT member_id FROM points_ledger WHERE id = ${ledgerId}) AND changes() = 1`);
}

interface WrittenRow {
  id: string;
  member_id: string;
  delta: number;
}

function writtenRowsSql(ids: string[]) {
  return query<WrittenRow>(sql`SELECT id, member_id, delta FROM points_ledger WHERE id IN (${sql.join(
    ids.map((id) => sql`${id}`),
    sql`, `,
  )})`);
}

async function refreshCards(db: Database, cache: LoyaltyCache | undefined, companyId: string, memberIds: Iterable<string>) {
  if (!cache) return;
  for (const memberId of new Set(memberIds)) {
    await refreshMemberCard(db, cache, companyId, memberId).catch(() => undefined);
  }
}

/**
 * An order rejected or deleted gives back what it changed: minus what is left of its earning (one
 * `unearn:<order>` row) and plus the points of each applied redemption on it (one `return:<redemption>`
 * row each). Returns the points reversed and returned by this call (0 and 0 on a repeat).
 */
export async function undoOrder(
  db: Database,
  input: { companyId: string; orderId: string; reason: "rejected" | "deleted"; now: number } & CacheInput,
): Promise<{ reversed: number; returned: number }> {
  const { companyId, orderId, reason, now } = input;

  // Applied is final (pending -> applied | failed), so reading the ids first cannot miss a change
  // that would matter; a redemption applied after this read is returned by the next call.
  const applied = await all(
    db,
    query<{ id: string }>(sql`
      SELECT id FROM redemptions WHERE company_id = ${companyId} AND order_id = ${orderId} AND status = 'applied'
      ORDER BY created_at, id`),
  );

  const unearnId = newId("led");
  const unearnNote = `Order ${orderId} ${reason}: points earned reversed`;
  const returnNote = `Order ${orderId} ${reason}: redeemed points returned`;
  const statements: Query<unknown>[] = [
    query(sql`
      INSERT INTO points_ledger (id, company_id, member_id, delta, reason, site_id, order_id, note, spent_cents, idempotency_key, created_at)
      SELECT ${unearnId}, x.company_id, x.member_id, -x.remaining, 'reversal', x.site_id, ${orderId}, ${unearnNote}, -x.spent, ${unearnKey(orderId)}, ${now}
      FROM (SELECT e.company_id, e.member_id, e.site_id, ${remainingSql(companyId, orderId)} AS remaining,
          ${remainingSpendSql(companyId, orderId)} AS spent
        FROM points_ledger e WHERE e.company_id = ${companyId} AND e.idempotency_key = ${earnKey(orderId)}) x
      WHERE x.remaining > 0
      ON CONFLICT DO NOTHING`),
    applyRowSql(companyId, unearnId, now),
  ];
  const returnIds: string[] = [];
  for (const redemption of applied) {
    const id = newId("led");
    returnIds.push(id);
    statements.push(
      query(sql`
        INSERT INTO points_ledger (id, company_id, member_id, delta, reason, site_id, order_id, reward_id, note, idempotency_key, created_at)
        SELECT ${id}, d.company_id, d.member_id, d.points, 'reversal', d.site_id, d.order_id, d.reward_id, ${returnNote},
          ${returnKeySql(sql`d.id`)}, ${now}
        FROM redemptions d WHERE d.company_id = ${companyId} AND d.id = ${redemption.id} AND d.status = 'applied' AND d.points > 0
        ON CONFLICT DO NOTHING`),
      applyRowSql(companyId, id, now),
    );
  }
  statements.push(...evaluateOrderMember(companyId, orderId, now, [unearnId]), writtenRowsSql([unearnId, ...returnIds]));

  const results = await batch(db, statements);
  const written = results[results.length - 1] as WrittenRow[];
  let reversed = 0;
  let returned = 0;
  for (const row of written) {
    if (row.id === unearnId) reversed += -row.delta;
    else returned += row.delta;
  }
  await refreshCards(db, input.cache, companyId, written.map((r) => r.member_id));
  return { reversed, returned };
}

const toCents = (amount: number) => Math.round(amount * 100);

/**
 * Each negative payment on the order (a refund) reverses points in proportion to the amount
 * refunded over what the customer paid (our own loyalty payments left out), rounded down, never
 * more than what is left of the order's earning, once per payment (`refund:<order>:<payment>`).
 * Returns the points reversed by this call. An order that earned nothing (yet) reverses nothing and
 * writes nothing, so a later call after the earning still reverses.
 */
export async function reverseRefunds(
  db: Database,
  input: { companyId: string; order: KountaOrder; now: number } & CacheInput,
): Promise<number> {
  const { companyId, order, now } = input;
  const orderId = order.id;
  if (!orderId) return 0;

  // Refunds are rare: the company's settings (its loyalty payment method, its currency for the notes)
  // are read only when the order has a negative payment.
  if (!order.payments.some((p) => (p.amount ?? 0) < 0)) return 0;
  const [company] = await all(
    db,
    query<{ currency: string; loyalty_method: string | null }>(sql`
      SELECT currency, loyalty_payment_method_id AS loyalty_method FROM companies WHERE id = ${companyId}`),
  );
  let paidCents = 0;
  const refunds: { key: string; cents: number }[] = [];
  order.payments.forEach((payment, index) => {
    const cents = toCents(payment.amount ?? 0);
    if (isPointsPayment(payment, company?.loyalty_method)) return;
    if (cents > 0) paidCents += cents;
    // Kounta's payments carry ids; without one, its position in the order (payments are only added).
    else if (cents < 0) refunds.push({ key: refundKey(orderId, payment.id || `#${index}`), cents: -cents });
  });
  if (refunds.length === 0 || paidCents <= 0) return 0;

  const statements: Query<unknown>[] = [];
  const ids: string[] = [];
  let refundedBefore = 0;
  for (const refund of refunds) {
    const id = newId("led");
    ids.push(id);
    // Proportional to what the order earned (e.delta), capped at what is left of it. Rounded down on
    // the refunds so far, not on each alone: this refund takes what the total up to it rounds to,
    // less what the earlier ones rounded to, so a sale refunded in parts gives back what it earned.
    // Integer arithmetic in SQL (cast: a bound number may arrive as REAL), truncating: positive, so floor.
    const upTo = refundedBefore + refund.cents;
    const proportion = (of: SQL) => sql`(CAST(${upTo} AS INTEGER) * ${of} / CAST(${paidCents} AS INTEGER)
      - CAST(${refundedBefore} AS INTEGER) * ${of} / CAST(${paidCents} AS INTEGER))`;
    const share = proportion(sql`e.delta`);
    // The spend counted toward a tier goes down in the same proportion, on the refunds so far as the
    // points do (what the total up to this one rounds to, less what the order's refund rows took
    // already, rows written earlier in this batch included), never below what is left of it. A
    // refund too small to take a point writes no row; the next one takes its share of the spend too.
    const spentUpTo = sql`(CAST(${upTo} AS INTEGER) * coalesce(e.spent_cents, 0) / CAST(${paidCents} AS INTEGER))`;
    const spentTaken = sql`(-coalesce((SELECT sum(r.spent_cents) FROM points_ledger r
      WHERE r.company_id = ${companyId} AND ${isRefundKeyOf(sql`r.idempotency_key`, sql`${orderId}`)}), 0))`;
    const spent = sql`max(0, min(${spentUpTo} - ${spentTaken}, ${remainingSpendSql(companyId, orderId)}))`;
    refundedBefore = upTo;
    const note = `Refund of ${formatMoney(refund.cents, company?.currency)} on order ${orderId}`;
    statements.push(
      query(sql`
        INSERT INTO points_ledger (id, company_id, member_id, delta, reason, site_id, order_id, note, spent_cents, idempotency_key, created_at)
        SELECT ${id}, x.company_id, x.member_id, -x.take, 'reversal', x.site_id, ${orderId}, ${note}, -x.spent, ${refund.key}, ${now}
        FROM (SELECT e.company_id, e.member_id, e.site_id, min(${share}, ${remainingSql(companyId, orderId)}) AS take, ${spent} AS spent
          FROM points_ledger e WHERE e.company_id = ${companyId} AND e.idempotency_key = ${earnKey(orderId)} AND e.delta > 0) x
        WHERE x.take > 0
        ON CONFLICT DO NOTHING`),
      applyRowSql(companyId, id, now),
    );
  }
  statements.push(...evaluateOrderMember(companyId, orderId, now, ids), writtenRowsSql(ids));

  const results = await batch(db, statements);
  const written = results[results.length - 1] as WrittenRow[];
  const reversed = written.reduce((total, row) => total - row.delta, 0);
  await refreshCards(db, input.cache, companyId, written.map((r) => r.member_id));
  return reversed;
}
