import { publicOrigin } from "./origin";
import { createFactory } from "hono/factory";
import { hashWebhookSecret, WEBHOOK_SECRET_HEADER } from "../connect/webhook-secret";
import { KountaApiError } from "../kounta-api/errors";
import type { KountaOrder } from "../kounta-api/types";
import { secretsEqual } from "../lib/crypto";
import { KountaError } from "../lib/errors";
import { duplicateJsonKeyPath } from "../lib/json-duplicates";
import { parseOrderId } from "../kounta-api/ids";
import { describeError } from "../lib/logger";
import type { AppEnv, Services } from "../services";
import { earnForOrder, type EarnOutcome } from "../loyalty/earning/earn-order";
import { reverseRefunds, undoOrder } from "../loyalty/earning/undo-order";
import { readKountaConnection, type ConnectionToken, type KountaConnection } from "../storage/kounta-connections";

// Kounta's order webhooks (registered at connection time with our secret header). A delivery is only
// a trigger: it names a company and an order; we authenticate it by the company's secret, read the
// order from Kounta with the company's token, and act on what the order says. The payload is
// unpublished and unsigned, so nothing else in it is trusted.
//
// Answers: 200 {"received": true} once processed (whatever the order turned out to be); 400 for a
// body that names no company and order, or names one twice; 401 for a missing or
// wrong secret or a company that is not connected; 503 when Kounta could not be read, so Kounta
// retries (the catch-up job covers it too).

const PROCESS_WITHIN_MS = 8_000;
const id = /^\d{1,20}$/;

/** A hash no real secret has: compared against when the company is unknown, so timing says nothing. */
const NO_HASH = "-".repeat(43);

export interface WebhookDelivery {
  companyId: string;
  orderId: string;
  topic: string | null;
}

/** The payload's keys a delivery is read by. */
const DELIVERY_KEYS: ReadonlySet<string> = new Set(["company_id", "company_id_str", "order_id", "order_id_str", "id", "id_str", "topic"]);

/** The keys whose numbers are read as written (the _str forms are strings already). */
const NUMERIC_ID_KEYS: ReadonlySet<string> = new Set(["company_id", "order_id", "id"]);

/**
 * The company and order a delivery names, or null. Ids are read as written in the text: a JSON
 * number above 2^53 would lose digits as a JS number (Kounta then also sends id_str, which wins).
 */
export function parseDelivery(text: string): WebhookDelivery | null {
  // The ids' numbers as written, with the object holding them: only the payload's own keys count
  // (never a nested customer's or line's "id").
  const written: { holder: unknown; key: string; source: string }[] = [];
  let body: unknown;
  try {
    body = JSON.parse(text, function (this: unknown, key: string, value: unknown, context?: { source?: string }) {
      if (typeof value === "number" && NUMERIC_ID_KEYS.has(key) && context?.source !== undefined) written.push({ holder: this, key, source: context.source });
      return value;
    } as (this: unknown, key: string, value: unknown) => unknown);
  } catch {
    return null;
  }
  if (!body || typeof body !== "object" || Array.isArray(body)) return null;
  const b = body as Record<string, unknown>;
  const rawDigits = (key: string): string | null => {
    const v = b[key];
    if (typeof v === "string") return id.test(v.trim()) ? v.trim() : null;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0) return null;
    const source = written.find((w) => w.holder === body && w.key === key)?.source;
    if (source !== undefined) return id.test(source) ? source : null;
    return Number.isSafeInteger(v) ? String(v) : null;
  };
  const companyId = rawDigits("company_id_str") ?? rawDigits("company_id");
  // One order, one id: `0555` is the order `555`, as on the redeem call.
  const orderId = parseOrderId(rawDigits("order_id_str") ?? rawDigits("id_str") ?? rawDigits("order_id") ?? rawDigits("id"));
  if (!companyId || !orderId) return null;
  const topic = typeof b.topic === "string" ? b.topic.slice(0, 100) : null;
  return { companyId, orderId, topic };
}

/**
 * The company's connection when the secret header matches its stored hash (compared in constant
 * time, also when the company is unknown or has no secret); null otherwise or when not connected.
 */
async function authenticate(services: Services, companyId: string, secret: string): Promise<KountaConnection | null> {
  const row = await readKountaConnection(services.db, companyId);
  const stored = row?.status === "connected" && row.webhook_secret_hash ? row.webhook_secret_hash : NO_HASH;
  const equal = await secretsEqual(await hashWebhookSecret(secret), stored);
  return equal && stored !== NO_HASH ? row! : null;
}

export const webhookHandlers = createFactory<AppEnv>().createHandlers(async (c) => {
  const services = c.get("services");
  const secret = c.req.header(WEBHOOK_SECRET_HEADER);
  if (!secret) throw new KountaError(401, "This delivery is not authenticated.");
  const text = await c.req.text();
  // JSON.parse keeps a key's last value: a payload naming its company or order twice is not read at
  // all. As with query parameters, only the keys we read count (the rest of the payload is Kounta's).
  const duplicate = duplicateJsonKeyPath(text, { topLevelOnly: true });
  if (duplicate && DELIVERY_KEYS.has(String(duplicate[0]))) throw new KountaError(400, `${duplicate[0]} was sent more than once.`);
  const delivery = parseDelivery(text);
  if (!delivery) throw new KountaError(400, "The delivery must be a JSON object naming company_id and order_id.");
  const connection = await authenticate(services, delivery.companyId, secret);
  if (!connection) throw new KountaError(401, "This delivery is not authenticated.");

  const log = services.logger.child({ company_id: delivery.companyId, order_id: delivery.orderId, topic: delivery.topic });
  try {
    const result = await processDelivery(services, delivery, connection, publicOrigin(c));
    log.info("webhook processed", result);
  } catch (err) {
    if (err instanceof KountaApiError) {
      log.warn("webhook: Kounta could not be read, asking for a retry", describeError(err));
      return c.json({ error: "Kounta could not be reached. Please retry." }, 503);
    }
    throw err;
  }
  return c.json({ received: true });
});

/** Reads the order and acts on its status. Throws KountaApiError when Kounta could not tell. */
export async function processDelivery(
  services: Services,
  delivery: WebhookDelivery,
  connection?: ConnectionToken,
  /** Our public origin, for the links of a message the sale causes ("reward ready"). */
  origin: string | null = null,
): Promise<Record<string, unknown>> {
  const { config, db } = services;
  const { companyId, orderId } = delivery;
  const deadline = Date.now() + PROCESS_WITHIN_MS;
  const client = services.kountaClient(companyId, { deadline, connection });

  let order: KountaOrder;
  try {
    order = await client.getOrder(orderId);
  } catch (err) {
    // Kounta no longer has the order: deleted (the deletion topic's name is unpublished, so any
    // authenticated delivery naming a vanished order undoes it).
    if (err instanceof KountaApiError && err.failure === "not_found") return undo(services, companyId, orderId, "deleted");
    throw err;
  }

  if (order.status === "COMPLETE") {
    const earned: EarnOutcome = await earnForOrder(
      { db, cache: services.cache, config, logger: services.logger, metrics: services.metrics, deadline, notifier: services.notifier(origin) },
      { companyId, orderId: order.id || orderId, order },
    );
    // Refunds made since (negative payments) take back their share; each once.
    const refunds = await reverseOrderRefunds(services, companyId, order);
    return { status: order.status, ...earned, refunds_reversed: refunds };
  }
  if (order.status === "REJECTED") return undo(services, companyId, order.id || orderId, "rejected");
  return { status: order.status, outcome: "ignored" };
}

async function reverseOrderRefunds(services: Services, companyId: string, order: KountaOrder): Promise<number> {
  return reverseRefunds(services.db, { companyId, order, now: Date.now(), cache: services.cache });
}

async function undo(services: Services, companyId: string, orderId: string, reason: "rejected" | "deleted") {
  const undone = await undoOrder(services.db, { companyId, orderId, reason, now: Date.now(), cache: services.cache });
  return { status: reason, outcome: "undone", ...undone };
}
