// The demo company of the Kounta stand-in (456 "Demo Café"): its ids and tokens, catalogue, payment
// methods and customers, what a new order holds, and the webhook `npm run dev` registers.

import type { Customer, PaymentMethod, Product } from "./model.ts";

export const DEMO_COMPANY_ID = "456";
export const DEMO_SITE_ID = "123";
export const DEMO_ACCESS_TOKEN = "dev-access-token-456";
export const DEMO_REFRESH_TOKEN = "dev-refresh-token-456";
/** The add-on's own payment method: used when a payment leaves out method_id. */
export const ADDON_PAYMENT_METHOD_ID = "5001";
/** The product an amount-off reward adds as a line with a negative unit_price. */
export const LOYALTY_REWARD_PRODUCT_ID = "9001";

export const DEMO_PRODUCTS: readonly Product[] = [
  { id: "2001", name: "Flat white", unitPrice: 4.5 },
  { id: "2002", name: "Banana bread", unitPrice: 5 },
  { id: "2003", name: "Slice of cake", unitPrice: 6 },
  { id: LOYALTY_REWARD_PRODUCT_ID, name: "Loyalty reward", unitPrice: 0 },
];

export const DEMO_PAYMENT_METHODS: readonly PaymentMethod[] = [
  { id: "1", name: "Cash" },
  { id: "2", name: "Card" },
  { id: "3", name: "Gift card" },
  { id: ADDON_PAYMENT_METHOD_ID, name: "Loyalty points" },
];

export const DEMO_CUSTOMERS: readonly Omit<Customer, "createdAt" | "updatedAt">[] = [
  { id: "789", firstName: "John", lastName: "Smith", email: "john.smith@example.com", phone: "0412 345 678", referenceId: "mem_8f3k2", tags: [], image: null },
  { id: "790", firstName: "Jane", lastName: "Citizen", email: "jane.citizen@example.com", phone: null, referenceId: null, tags: [], image: null },
  { id: "791", firstName: "Sam", lastName: "Lee", email: null, phone: "0400 111 222", referenceId: null, tags: ["regular"], image: null },
];

/** What an order id that nobody has used yet holds: an open sale of 2 x Flat white + 1 x Banana bread. */
export const OPEN_ORDER_LINES: readonly { productId: string; quantity: number }[] = [
  { productId: "2001", quantity: 2 },
  { productId: "2002", quantity: 1 },
];

/**
 * The demo company's orders/completed webhook, as connecting would have registered it: pointing at the
 * loyalty Worker of `npm run dev`, with the local secret whose hash the seed stores (scripts/lib/seed-demo.ts).
 */
export const DEMO_WEBHOOK = {
  id: "9456",
  address: "http://localhost:8787/kounta/webhooks/orders",
  secretHeader: "X-Loyalty-Webhook-Secret",
  secret: "dev-webhook-secret-456",
};
