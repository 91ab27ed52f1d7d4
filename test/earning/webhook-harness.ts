import { exports } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll } from "vitest";
import { hashWebhookSecret, WEBHOOK_SECRET_HEADER } from "../../src/connect/webhook-secret";
import { customerLinks, kountaConnections, members, pointsLedger } from "../../src/storage/schema";
import { db, expectBalanceMatchesLedger, ORIGIN, seedCompany } from "../harness";
import { KOUNTA_ORIGIN, kounta, standIn } from "../kounta-harness";

// What the webhook tests share. POST /kounta/webhooks/orders: Kounta's orders/completed deliveries,
// authenticated by our secret header, each only a trigger to read the order. The stand-in delivers
// to https://loyalty.test, which useWebhookHarness routes to the Worker.

export const WEBHOOK_URL = `${ORIGIN}/kounta/webhooks/orders`;
export type Company = Awaited<ReturnType<typeof seedCompany>>;

export const harnessFetch = globalThis.fetch;
export const checked = new Set<string>();

/**
 * Called at the top of each webhook test file: the stand-in's deliveries to https://loyalty.test
 * reach the Worker, and every company a test connected keeps its balances equal to its ledger sums.
 */
export function useWebhookHarness() {
  beforeAll(() => {
    globalThis.fetch = (input: RequestInfo | URL, init?: RequestInit) => {
      const request = new Request(input, init);
      return new URL(request.url).origin === ORIGIN ? exports.default.fetch(request) : harnessFetch(input, init);
    };
  });
  afterAll(() => {
    globalThis.fetch = harnessFetch;
  });
  afterEach(async () => {
    for (const id of checked) await expectBalanceMatchesLedger(id);
    checked.clear();
  });
}

/** A connected company whose orders/completed webhook is registered in Kounta with its secret. */
export async function connectedCompany(options: { link?: boolean; webhook?: boolean } = {}) {
  const company = await seedCompany();
  checked.add(company.id);
  const secret = `secret-${company.id}-${crypto.randomUUID()}`;
  await db.update(kountaConnections).set({ webhookSecretHash: await hashWebhookSecret(secret) }).where(eq(kountaConnections.companyId, company.id));
  if (options.webhook ?? true) {
    await kounta.api(company.id, "POST", "webhooks", {
      topic: "orders/completed",
      address: WEBHOOK_URL,
      format: "json",
      headers: { [WEBHOOK_SECRET_HEADER]: secret },
    });
  }
  let memberId: string | null = null;
  if (options.link ?? true) {
    memberId = await company.addMember({ firstName: "John" });
    await db.insert(customerLinks).values({ companyId: company.id, kountaCustomerId: "789", memberId, linkedAt: Date.now() });
  }
  return { company, secret, memberId };
}

/** A sale completed at the POS (the stand-in then delivers the webhook); its id. */
export async function sale(company: Company, order: Record<string, unknown> = {}) {
  const res = await kounta.api(company.id, "POST", "orders", {
    status: "COMPLETE",
    customer_id: "789",
    lines: [{ product_id: "2001", quantity: 2 }, { product_id: "2002" }], // 15.40
    payments: [{ method_id: "2", amount: 15.4 }],
    ...order,
  });
  await standIn.settle();
  return res.headers.get("location")!.replace(/\.json$/, "").split("/").pop()!;
}

export interface Delivery {
  address: string;
  headers: Record<string, string>;
  body: string;
  status: string;
  http_status: number | null;
}

export async function deliveries(companyId: string): Promise<Delivery[]> {
  const res = await standIn.app.fetch(new Request(`${KOUNTA_ORIGIN}/_stand-in/deliveries?company_id=${companyId}`));
  return (await res.json()) as Delivery[];
}

/** Sends a delivery to the Worker as Kounta would. */
export async function deliver(body: string, headers: Record<string, string>) {
  const res = await exports.default.fetch(new Request(WEBHOOK_URL, { method: "POST", headers: { "Content-Type": "application/json", ...headers }, body }));
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export const payload = (companyId: string, orderId: string) =>
  JSON.stringify({ topic: "orders/completed", company_id: Number(companyId), order_id: Number(orderId), id: Number(orderId), id_str: orderId });

export async function pointsOf(memberId: string) {
  const [row] = await db.select({ points: members.points }).from(members).where(eq(members.id, memberId));
  return row!.points;
}

export async function ledger(companyId: string) {
  return db
    .select({ delta: pointsLedger.delta, reason: pointsLedger.reason, orderId: pointsLedger.orderId, key: pointsLedger.idempotencyKey })
    .from(pointsLedger)
    .where(and(eq(pointsLedger.companyId, companyId)));
}
