import { z } from "zod";
import { parseOrderId } from "./ids";

// What we read of Kounta's JSON. Loose on purpose: Kounta adds fields, and ids may be numbers, or
// strings in `id_str` when they exceed 2^53, so every id is read as a string.

const kountaId = z.union([z.string(), z.number()]).transform((v) => String(v));

const withId = <T extends z.ZodRawShape>(shape: T) =>
  z
    .looseObject({ id: kountaId.optional(), id_str: z.string().optional(), ...shape })
    .transform((o) => ({ ...o, id: o.id_str ?? o.id ?? "" }));

const money = z.union([z.number(), z.string()]).transform((v) => Number(v)).pipe(z.number().finite());

/** A category as Kounta may name it on a product: an id, or an object with one. */
const categoryRef = z.union([kountaId, z.looseObject({ id: kountaId.optional(), id_str: z.string().optional() })]).transform((c) =>
  typeof c === "string" ? c : (c.id_str ?? c.id ?? ""),
);

/** Category fields a product may carry (unpublished on an order's line; the product record has them). */
const productCategories = {
  categories: z.array(categoryRef).nullish().catch(null),
  category_id: kountaId.nullish().catch(null),
};

export const orderLineSchema = z.looseObject({
  number: z.union([z.number(), z.string()]).transform((v) => Number(v)),
  product: z
    .looseObject({ id: kountaId.optional(), id_str: z.string().optional(), name: z.string().optional(), ...productCategories })
    .transform((p) => ({ ...p, id: p.id_str ?? p.id }))
    .nullish(),
  quantity: money.default(1),
  unit_price: money.nullish(),
  /** Tax per unit (Kounta's unit_price is ex tax). */
  unit_tax: money.nullish(),
  price_variation: money.nullish(),
  notes: z.string().nullish(),
});

export const orderPaymentSchema = withId({
  method: z.looseObject({ id: kountaId.optional(), name: z.string().optional() }).nullish(),
  amount: money.nullish(),
  ref: z.string().nullish(),
});

export const customerSchema = withId({
  first_name: z.string().nullish(),
  last_name: z.string().nullish(),
  email: z.string().nullish(),
  phone: z.string().nullish(),
  reference_id: z.string().nullish(),
});

export type KountaCustomer = z.output<typeof customerSchema>;

export const productSchema = withId({
  name: z.string().nullish(),
  ...productCategories,
});

export type KountaProduct = z.output<typeof productSchema>;

export const orderSchema = withId({
  status: z.string(),
  site_id: kountaId.nullish(),
  customer_id: kountaId.nullish(),
  /** The customer's record, when Kounta embeds it (unreadable: ignored, the client GETs the customer). */
  customer: customerSchema.nullish().catch(null),
  /** A multiplier on the whole order (0.9 = 10% off). */
  price_variation: money.nullish(),
  notes: z.string().nullish(),
  lines: z.array(orderLineSchema).default([]),
  payments: z.array(orderPaymentSchema).default([]),
  total: money.nullish(),
  paid: money.nullish(),
}).transform((o) => ({ ...o, id: parseOrderId(o.id) ?? "" }));

export type KountaOrder = z.output<typeof orderSchema>;
export type KountaOrderLine = z.output<typeof orderLineSchema>;

export const tokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.union([z.number(), z.string()]).transform((v) => Number(v)).optional(),
});

