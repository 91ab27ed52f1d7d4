import { sql } from "drizzle-orm";
import type { Config } from "../../config";
import { kountaClientFor, type KountaClient } from "../../kounta-api/client";
import { KountaApiError } from "../../kounta-api/errors";
import type { KountaOrder } from "../../kounta-api/types";
import { newId } from "../../lib/crypto";
import { describeError, type Logger } from "../../lib/logger";
import type { RequestMetrics } from "../../lib/metrics";
import { refreshMemberCard, type LoyaltyCache } from "../cache";
import type { Database } from "../../storage/db";
import { connectionJoinSql, connectionStatusColumnSql, connectionTokenColumnsSql } from "../../storage/kounta-connections";
import type { ConnectionStatusColumn, ConnectionToken } from "../../storage/kounta-connections";
import { batch, query } from "../../storage/sql";
import type { EarningRuleKind } from "../../storage/schema";
import { earnKey } from "../ledger/keys";
import type { Notifier } from "../notifications/notifier";
import { findOrEnrolMember } from "./order-member";
import { evaluateTierStatements, memberFilter } from "../tiers/evaluate";
import { tierMultiplier } from "../tiers/member-tier";
import { lineCategories, needsCategories, pointsForOrder, type EarningResult } from "./earning-rules-engine";

// Earning on one completed Kounta order, exactly once: the ledger row's idempotency key
// `earn:<order id>` is UNIQUE per company, and the balance only moves in the same batch when that row
// was inserted (changes() = 1), so any number of deliveries (webhook retries, the catch-up job)
// earn once.

/** What a piece of loyalty work that calls Kounta needs. */
export interface EarnDeps {
  db: Database;
  cache: LoyaltyCache;
  config: Config;
  logger: Logger;
  metrics?: RequestMetrics;
  /** Epoch ms by which the Kounta calls must be over. */
  deadline: number;
  fetch?: typeof fetch;
  /** Records a "reward ready" message when the points cross a reward's price (src/loyalty/notifications/). */
  notifier?: Notifier;
}

export interface EarnInput {
  companyId: string;
  orderId: string;
  /** The order as just read from Kounta, when the caller has it (saves a call). */
  order?: KountaOrder;
  now?: number;
}

export type EarnOutcome =
  | { outcome: "earned"; memberId: string; points: number; balance: number; enrolled: boolean }
  /** This order has already earned (an earlier delivery). */
  | { outcome: "repeated"; memberId: string }
  | {
      outcome: "skipped";
      reason: "unknown_company" | "not_connected" | "not_complete" | "no_customer" | "not_member" | "inactive_member" | "nothing_earned";
      detail?: string;
    };

interface CompanyRow extends ConnectionStatusColumn, ConnectionToken {
  points_per_currency_unit: number;
  loyalty_payment_method_id: string | null;
  currency: string;
  minimum_spend_cents: number;
  auto_enrol: number;
  phone_country_code: string | null;
  has_tiers: number;
}

interface RuleRow {
  kind: EarningRuleKind;
  target_id: string;
  multiplier: number | null;
}

/**
 * Earns the points of a completed order for its customer's member. Throws KountaApiError when Kounta
 * could not be read (the caller retries: the webhook answers 503, the catch-up job tries next run).
 */
export async function earnForOrder(deps: EarnDeps, input: EarnInput): Promise<EarnOutcome> {
  const { db } = deps;
  const { companyId, orderId } = input;
  const log = deps.logger.child({ company_id: companyId, order_id: orderId });

  const [companyRows, ruleRows, earnedRows] = await batch(db, [
    query<CompanyRow>(sql`
      SELECT c.points_per_currency_unit, c.minimum_spend_cents, c.loyalty_payment_method_id, c.currency, c.auto_enrol, c.phone_country_code,
        EXISTS (SELECT 1 FROM tiers t WHERE t.company_id = c.id AND t.removed_at IS NULL) AS has_tiers,
        ${connectionStatusColumnSql("k")}, ${connectionTokenColumnsSql("k")}
      FROM companies c ${connectionJoinSql("k", sql`c.id`)}
      WHERE c.id = ${companyId}`),
    query<RuleRow>(sql`
      SELECT kind, target_id, multiplier FROM earning_rules WHERE company_id = ${companyId} AND active = 1`),
    query<{ member_id: string }>(sql`
      SELECT member_id FROM points_ledger WHERE company_id = ${companyId} AND idempotency_key = ${earnKey(orderId)}`),
  ]);
  const company = companyRows[0];
  if (!company) return { outcome: "skipped", reason: "unknown_company" };
  if (earnedRows[0]) return { outcome: "repeated", memberId: earnedRows[0].member_id };
  if (company.connection_status !== "connected") return { outcome: "skipped", reason: "not_connected" };

  let client: KountaClient | null = null;
  const kounta = () =>
    (client ??= kountaClientFor(deps.config, db, {
      companyId, logger: log, metrics: deps.metrics, deadline: deps.deadline, fetch: deps.fetch, connection: company,
    }));

  const order = input.order ?? (await kounta().getOrder(orderId));
  if (order.status !== "COMPLETE") return { outcome: "skipped", reason: "not_complete", detail: order.status };
  const customerId = order.customer_id ?? (order.customer?.id || null);
  if (!customerId) return { outcome: "skipped", reason: "no_customer" };

  const now = input.now ?? Date.now();
  const member = await findOrEnrolMember(deps, kounta, { companyId, customerId, order, company, now, log });
  if (member.outcome !== "found") return { outcome: "skipped", reason: member.outcome };

  const rules = ruleRows.map((r) => ({ kind: r.kind, targetId: r.target_id, multiplier: r.multiplier }));
  const categories = await productCategories(kounta, order, rules, log);
  const base = pointsForOrder(
    order,
    {
      pointsPerCurrencyUnit: company.points_per_currency_unit,
      minimumSpendCents: company.minimum_spend_cents,
      loyaltyPaymentMethodId: company.loyalty_payment_method_id,
      currency: company.currency,
    },
    rules,
    categories,
  );
  const result = company.has_tiers ? await withTierMultiplier(db, base, { companyId, memberId: member.memberId, now }) : base;
  if (result.points <= 0) {
    log.info("order earned nothing", { member_id: member.memberId, explanation: result.explanation });
    return { outcome: "skipped", reason: "nothing_earned", detail: result.explanation };
  }

  const written = await writeEarning(db, { companyId, orderId, memberId: member.memberId, order, result, now });
  await refreshMemberCard(db, deps.cache, companyId, member.memberId).catch((err) =>
    log.warn("member card not refreshed", describeError(err)),
  );
  if (written.outcome === "repeated") return { outcome: "repeated", memberId: written.memberId };
  if (written.outcome === "inactive") return { outcome: "skipped", reason: "inactive_member" };
  log.info("points earned", { member_id: member.memberId, points: result.points, spent_cents: result.spentCents });
  await deps.notifier?.balanceRose(companyId, member.memberId, written.balance - result.points, written.balance, now);
  return { outcome: "earned", memberId: member.memberId, points: result.points, balance: written.balance, enrolled: member.enrolled };
}

/** The points of the member's level: the rules' result times the tier's multiplier, rounded down. */
async function withTierMultiplier(
  db: Database,
  result: EarningResult,
  input: { companyId: string; memberId: string; now: number },
): Promise<EarningResult> {
  if (result.points <= 0) return result;
  const tier = await tierMultiplier(db, input.companyId, input.memberId, input.now);
  if (!tier) return result;
  return {
    ...result,
    // In hundredths, so the product is exact (100 x 1.15 is 114.999... in floating point).
    points: Math.floor((result.points * Math.round(tier.multiplier * 100)) / 100),
    explanation: `${result.explanation} × ${tier.multiplier} (${tier.name})`.slice(0, 300),
  };
}

/**
 * The ledger row and the balance, in one batch; the balance moves only when the row was new. The
 * member's level is evaluated in the same batch (the row counts toward it: the trigger of migration
 * 0017 adds it to the member's month).
 */
async function writeEarning(
  db: Database,
  input: { companyId: string; orderId: string; memberId: string; order: KountaOrder; result: EarningResult; now: number },
): Promise<{ outcome: "earned"; balance: number } | { outcome: "repeated"; memberId: string } | { outcome: "inactive" }> {
  const { companyId, orderId, memberId, order, result, now } = input;
  const id = newId("led");
  const key = earnKey(orderId);
  const [, , , , rows, memberRows] = await batch(db, [
    query(sql`
      INSERT INTO points_ledger (id, company_id, member_id, delta, reason, site_id, order_id, actor, note, spent_cents, idempotency_key, created_at)
      SELECT ${id}, ${companyId}, m.id, ${result.points}, 'earn', ${order.site_id ?? null}, ${orderId}, NULL, ${result.explanation},
        ${result.spentCents}, ${key}, ${now}
      FROM members m WHERE m.company_id = ${companyId} AND m.id = ${memberId} AND m.status = 'active'
      ON CONFLICT (company_id, idempotency_key) DO NOTHING`),
    // Only when the row above was inserted (changes() counts the previous statement's rows).
    query(sql`
      UPDATE members SET points = points + ${result.points}, updated_at = ${now}
      WHERE company_id = ${companyId} AND id = ${memberId} AND changes() = 1`),
    // Only when this delivery wrote the row (a repeat changes no level).
    ...evaluateTierStatements({
      filter: sql`${memberFilter(companyId, memberId)} AND EXISTS (SELECT 1 FROM points_ledger WHERE id = ${id})`,
      now,
      reason: "earned",
    }),
    query<{ id: string; member_id: string }>(sql`
      SELECT id, member_id FROM points_ledger WHERE company_id = ${companyId} AND idempotency_key = ${key}`),
    query<{ points: number }>(sql`SELECT points FROM members WHERE company_id = ${companyId} AND id = ${memberId}`),
  ]);
  const row = rows[0];
  if (row?.id === id) return { outcome: "earned", balance: memberRows[0]?.points ?? 0 };
  if (row) return { outcome: "repeated", memberId: row.member_id };
  return { outcome: "inactive" };
}

/**
 * The categories of the products on the order, only when a category rule could apply and the order's
 * lines do not name them: Kounta's order lines carry product {id, name} only, so the product records
 * are read (one call per distinct product). A product that cannot be read earns at its base rate.
 */
async function productCategories(
  kounta: () => KountaClient,
  order: KountaOrder,
  rules: Parameters<typeof needsCategories>[0],
  log: Logger,
): Promise<Map<string, string[]>> {
  const categories = new Map<string, string[]>();
  if (!needsCategories(rules)) return categories;
  // A product with a rule of its own earns by that rule: its categories do not matter.
  const ownRule = new Set(rules.filter((r) => r.active !== false && r.kind === "product_multiplier").map((r) => r.targetId));
  const productIds = new Set<string>();
  for (const line of order.lines) {
    const id = line.product?.id;
    if (id && !ownRule.has(id) && lineCategories(line).length === 0 && (line.unit_price ?? 0) > 0) productIds.add(id);
  }
  await Promise.all(
    [...productIds].map(async (id) => {
      try {
        const product = await kounta().getProduct(id);
        categories.set(id, [...(product.categories ?? []), ...(product.category_id ? [product.category_id] : [])]);
      } catch (err) {
        if (!(err instanceof KountaApiError && (err.failure === "not_found" || err.failure === "refused"))) throw err;
        log.warn("product not readable: earns at the base rate", { product_id: id, ...describeError(err) });
      }
    }),
  );
  return categories;
}
