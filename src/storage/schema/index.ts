// The D1 tables (Drizzle), by subject; drizzle-kit reads this file (scripts/drizzle.config.ts).
// Every table carries company_id (the Kounta company id, the tenant) and every query filters by it.
// Times are epoch milliseconds. Money is in minor units (cents).

export * from "./companies";
export * from "./connections";
export * from "./members";
export * from "./rewards";
export * from "./ledger";
export * from "./redemptions";
export * from "./api-keys";
export * from "./earning-rules";
export * from "./order-checks";
export * from "./dashboard";
export * from "./stats";
export * from "./card-links";
export * from "./tiers";
export * from "./flags";
export * from "./notifications";
