import { publicOrigin } from "../../kounta/origin";
import { createRoute, z } from "@hono/zod-openapi";
import { adjustPoints } from "../../loyalty/ledger/adjust-points";
import { listLedger, listRedemptions, type LedgerRow, type RedemptionListRow } from "../../loyalty/ledger/ledger-queries";
import type { Page } from "../../loyalty/listing";
import { refreshMemberCard } from "../../loyalty/cache";
import { describeError } from "../../lib/logger";
import { ledgerReasons, redemptionStatuses, rewardKinds } from "../../storage/schema";
import { adminRouter, bearerSecurity } from "../app";
import { AdminError } from "../errors";
import { listWindow, ListQuery, redemptionWindow, RedemptionListQuery } from "../inputs/lists";
import { Adjustment, adjustmentOf } from "../inputs/points";
import { errorResponses, PathId } from "../schemas";

// Points: adjustments, the ledger and the redemptions of a member or of the company.

const LedgerEntry = z
  .object({
    id: z.string().openapi({ example: "led_5k2x9q0c1vd8hm3t" }),
    member_id: z.string().openapi({ example: "mem_5k2x9q0c1vd8hm3t" }),
    delta: z.number().int().openapi({ description: "Points added (positive) or taken away (negative)", example: -500 }),
    reason: z.enum(ledgerReasons),
    site_id: z.string().nullable().openapi({ description: "The Kounta site where the points were earned or spent" }),
    order_id: z.string().nullable(),
    reward_id: z.string().nullable(),
    actor: z.string().nullable().openapi({ description: "Who made a change that was not a sale", example: "api_key:key_5k2x9q0c1vd8hm3t" }),
    note: z.string().nullable().openapi({ example: "Coffee machine broke, sorry" }),
    created_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("LedgerEntry");

const Redemption = z
  .object({
    id: z.string().openapi({ example: "rdm_5k2x9q0c1vd8hm3t" }),
    member_id: z.string(),
    reward_id: z.string(),
    kind: z.enum(rewardKinds),
    order_id: z.string(),
    site_id: z.string().nullable(),
    points: z.number().int(),
    amount_cents: z.number().int().nullable().openapi({
      description: "amount_off and points_payment: cents; percent_off: basis points (1000 = 10%); free_product: null",
    }),
    status: z.enum(redemptionStatuses),
    failure_reason: z.string().nullable(),
    kounta_ref: z.string().nullable().openapi({ example: "line:3" }),
    created_at: z.string().openapi({ format: "date-time" }),
    updated_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("Redemption");

const iso = (ms: number) => new Date(ms).toISOString();

function ledgerEntryJson(row: LedgerRow): z.output<typeof LedgerEntry> {
  return { ...row, created_at: iso(row.created_at) };
}

function redemptionJson(row: RedemptionListRow): z.output<typeof Redemption> {
  return { ...row, created_at: iso(row.created_at), updated_at: iso(row.updated_at) };
}

const pageJson = <Row, T>(page: Page<Row>, shape: (row: Row) => T) => ({ data: page.data.map(shape), next_cursor: page.next_cursor });

const AdjustmentResult = z.object({ ledger_entry: LedgerEntry, balance: z.number().int() }).openapi("PointsAdjustmentResult");

const page = <T extends z.ZodType>(item: T) =>
  z.object({
    data: z.array(item),
    next_cursor: z.string().nullable().openapi({ description: "Pass as cursor for the next page; null on the last page" }),
  });

const LedgerPage = page(LedgerEntry).openapi("LedgerPage");
const RedemptionPage = page(Redemption).openapi("RedemptionPage");

const memberNotFound = () => new AdminError("not_found", "This company has no member with that id");

export const pointsRoutes = adminRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/members/{id}/adjustments",
      tags: ["Points"],
      summary: "Add or take away a member's points, with a reason",
      description:
        "Writes one ledger row (reason adjustment) and changes the balance, together. A balance never goes below zero: " +
        "taking away more than the member has answers 409 and changes nothing. An adjustment of more points (either way) than " +
        "the company's `large_adjustment_points` needs a manager's key (403 otherwise) and is listed in the activity flags.",
      security: bearerSecurity,
      request: {
        params: PathId,
        body: {
          required: true,
          content: {
            "application/json": {
              schema: Adjustment,
              examples: {
                credit: { summary: "Add points", value: { points: 250, reason: "Coffee machine broke, sorry", idempotency_key: "ticket-4711" } },
                debit: { summary: "Take points away", value: { points: -100, reason: "Points given twice by mistake" } },
              },
            },
          },
        },
      },
      responses: {
        201: { description: "The ledger row and the member's balance now", content: { "application/json": { schema: AdjustmentResult } } },
        ...errorResponses(400, 403, 404, 409),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const body = c.req.valid("json");
      const companyId = c.get("companyId");
      const { db, cache, logger } = c.get("services");
      const actor = `api_key:${c.get("apiKeyId")}`;
      const result = await adjustPoints(db, adjustmentOf(body, { companyId, memberId: id, actor, manager: c.get("apiKeyManager") }));
      switch (result.outcome) {
        case "not_found":
          throw new AdminError("not_found", "This company has no active member with that id");
        case "insufficient":
          throw new AdminError("conflict", `Not enough points: ${result.balance} of ${result.needed}`);
        case "key_reused":
          throw new AdminError("conflict", "idempotency_key: Already used for a different adjustment");
        case "manager_required":
          throw new AdminError("forbidden", `Adjustments of more than ${result.most} points need a manager's API key`);
        case "adjusted":
        case "repeated":
          break;
      }
      // A credit may make a reward affordable: its message is recorded and enqueued (never sent here).
      if (result.outcome === "adjusted" && result.entry.delta > 0) {
        await c.get("services").notifier(publicOrigin(c)).balanceRose(companyId, id, result.balance - result.entry.delta, result.balance);
      }
      // The points are committed: a cache failure must not answer an error that invites a second adjustment.
      await refreshMemberCard(db, cache, companyId, id).catch((err: unknown) =>
        logger.warn("member card not refreshed", { member_id: id, ...describeError(err) }),
      );
      return c.json({ ledger_entry: ledgerEntryJson(result.entry), balance: result.balance }, 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/members/{id}/ledger",
      tags: ["Points"],
      summary: "A member's ledger, newest first",
      security: bearerSecurity,
      request: { params: PathId, query: ListQuery },
      responses: {
        200: { description: "A page of ledger rows", content: { "application/json": { schema: LedgerPage } } },
        ...errorResponses(400, 404),
      },
    }),
    async (c) => {
      const scope = { companyId: c.get("companyId"), memberId: c.req.valid("param").id };
      const result = await listLedger(c.get("services").db, scope, listWindow(c.req.valid("query")));
      if (!result) throw memberNotFound();
      return c.json(pageJson(result, ledgerEntryJson), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/ledger",
      tags: ["Points"],
      summary: "The company's ledger, newest first",
      security: bearerSecurity,
      request: { query: ListQuery },
      responses: {
        200: { description: "A page of ledger rows", content: { "application/json": { schema: LedgerPage } } },
        ...errorResponses(400),
      },
    }),
    async (c) => {
      const result = await listLedger(c.get("services").db, { companyId: c.get("companyId") }, listWindow(c.req.valid("query")));
      return c.json(pageJson(result, ledgerEntryJson), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/members/{id}/redemptions",
      tags: ["Points"],
      summary: "A member's redemptions, newest first",
      security: bearerSecurity,
      request: { params: PathId, query: RedemptionListQuery },
      responses: {
        200: { description: "A page of redemptions", content: { "application/json": { schema: RedemptionPage } } },
        ...errorResponses(400, 404),
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const scope = { companyId: c.get("companyId"), memberId: c.req.valid("param").id };
      const result = await listRedemptions(c.get("services").db, scope, redemptionWindow(q));
      if (!result) throw memberNotFound();
      return c.json(pageJson(result, redemptionJson), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/redemptions",
      tags: ["Points"],
      summary: "The company's redemptions, newest first",
      security: bearerSecurity,
      request: { query: RedemptionListQuery },
      responses: {
        200: { description: "A page of redemptions", content: { "application/json": { schema: RedemptionPage } } },
        ...errorResponses(400),
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const scope = { companyId: c.get("companyId") };
      const result = await listRedemptions(c.get("services").db, scope, redemptionWindow(q));
      return c.json(pageJson(result, redemptionJson), 200);
    },
  );
