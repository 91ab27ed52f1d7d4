import { z } from "zod";
import { KountaApiError } from "../../kounta-api/errors";
import { parseOrderId } from "../../kounta-api/ids";

// Kounta's order lists as the catch-up reads them: GET /companies/{c}/orders?status=...&updated_gte=...,
// newest first, paged by the `X-Next-Page` header (a full URL).

/** What the list shows of an order (a summary: GET the order for its lines and payments). */
const orderSummarySchema = z.looseObject({
  id: z.union([z.number(), z.string()]).transform(String),
  id_str: z.string().nullish(),
  status: z.string().nullish(),
  customer_id: z.union([z.number(), z.string()]).transform(String).nullish(),
  updated_at: z.string().nullish(),
});

export interface OrderSummary {
  id: string;
  status: string | null;
  customerId: string | null;
  /** When Kounta last changed the order (ms), when it says. */
  updatedAt?: number | null;
}

export function readOrderSummaries(data: unknown): OrderSummary[] {
  if (!Array.isArray(data)) throw new KountaApiError("refused", "Kounta sent an order list we could not read");
  return data.flatMap((item) => {
    const parsed = orderSummarySchema.safeParse(item);
    if (!parsed.success) return [];
    const o = parsed.data;
    const id = parseOrderId(o.id_str ?? o.id);
    if (id === null) return [];
    const updatedAt = o.updated_at ? Date.parse(o.updated_at) : NaN;
    return [{ id, status: o.status ?? null, customerId: o.customer_id ?? null, updatedAt: Number.isNaN(updatedAt) ? null : updatedAt }];
  });
}

export interface OrderPage {
  orders: OrderSummary[];
  /** The next page's full URL (X-Next-Page), or null on the last page. */
  next: string | null;
}

/** Reads one page of a company's completed orders: the first (next = null) or the one a header named. */
export type ListCompletedOrders = (companyId: string, since: number, next: string | null) => Promise<OrderPage>;
/** The same for the orders rejected in the window. */
export type ListRejectedOrders = ListCompletedOrders;

/** Every order of a listing, page by page (X-Next-Page), up to the limit; what was read if a page fails. */
export async function listAll(
  list: ListCompletedOrders,
  companyId: string,
  since: number,
  max: number,
): Promise<{ orders: OrderSummary[]; error: unknown }> {
  const orders: OrderSummary[] = [];
  try {
    let next: string | null = null;
    do {
      const page: OrderPage = await list(companyId, since, next);
      orders.push(...page.orders.slice(0, max - orders.length));
      next = page.next;
    } while (next && orders.length < max);
    return { orders, error: null };
  } catch (err) {
    return { orders, error: err };
  }
}
