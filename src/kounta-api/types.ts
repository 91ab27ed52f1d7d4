import { z } from "zod";

// What we read of Kounta's JSON. Loose on purpose: Kounta adds fields, and ids may be numbers, or
// strings in `id_str` when they exceed 2^53, so every id is read as a string.

const kountaId = z.union([z.string(), z.number()]).transform((v) => String(v));

const withId = <T extends z.ZodRawShape>(shape: T) =>
  z
    .looseObject({ id: kountaId.optional(), id_str: z.string().optional(), ...shape })
    .transform((o) => ({ ...o, id: o.id_str ?? o.id ?? "" }));

const money = z.union([z.number(), z.string()]).transform((v) => Number(v)).pipe(z.number().finite());

export const orderLineSchema = z.looseObject({
  number: z.union([z.number(), z.string()]).transform((v) => Number(v)),
  product: z.looseObject({ id: kountaId.optional(), name: z.string().optional() }).nullish(),
  quantity: money.default(1),
  unit_price: money.nullish(),
  price_variation: money.nullish(),
  notes: z.string().nullish(),
});

export const orderPaymentSchema = withId({
  method: z.looseObject({ id: kountaId.optional(), name: z.string().optional() }).nullish(),
  amount: money.nullish(),
  ref: z.string().nullish(),
});

export const orderSchema = withId({
  status: z.string(),
  site_id: kountaId.nullish(),
  customer_id: kountaId.nullish(),
  notes: z.string().nullish(),
  lines: z.array(orderLineSchema).default([]),
  payments: z.array(orderPaymentSchema).default([]),
  total: money.nullish(),
  paid: money.nullish(),
});

export type KountaOrder = z.output<typeof orderSchema>;
export type KountaOrderLine = z.output<typeof orderLineSchema>;

export const tokenResponseSchema = z.looseObject({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.union([z.number(), z.string()]).transform((v) => Number(v)).optional(),
});

/** Order statuses in which lines may still change. */
export const EDITABLE_ORDER_STATUSES = new Set(["SUBMITTED", "ON_HOLD", "PENDING"]);
