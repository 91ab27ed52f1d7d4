import { createRoute, z } from "@hono/zod-openapi";
import {
  decodeCursor,
  deactivateMember,
  reactivateMember,
  getMember,
  listMembers,
  MemberError,
  createMember,
  searchMemberRows,
  updateMember,
} from "../../loyalty/members/member-admin";
import { adminRouter, bearerSecurity } from "../app";
import { AdminError } from "../errors";
import { MemberListQuery, MemberPatch, NewMember, newMemberFields, patchFields } from "../inputs/members";
import { errorResponses, PathId } from "../schemas";
import { found, Member, memberJson, memberResponse, origin, syncCard, TAGS } from "./members-common";

// Members: create, read, update, deactivate and reactivate, list (cursor) and search. Bulk import:
// member-import.ts; icons: member-icon.ts.

function memberErrors(err: unknown): never {
  if (err instanceof MemberError) throw new AdminError(err.kind === "conflict" ? "conflict" : "invalid_request", err.message);
  throw err;
}

export const memberRoutes = adminRouter()
  .openapi(
    createRoute({
      method: "post",
      path: "/members",
      tags: TAGS,
      summary: "Enrol a member",
      security: bearerSecurity,
      request: {
        body: {
          required: true,
          content: {
            "application/json": {
              schema: NewMember,
              examples: {
                email: {
                  summary: "With an email and a phone number, agreeing to be emailed (a welcome is sent)",
                  value: { first_name: "Ada", last_name: "Lovelace", email: "ada.lovelace@example.com", phone: "0412 345 678", email_consent: true },
                },
                card: { summary: "With a loyalty card alone", value: { first_name: "Charles", card_number: "100 200 301" } },
              },
            },
          },
        },
      },
      responses: { 201: memberResponse("The new member"), ...errorResponses(400, 409) },
    }),
    async (c) => {
      const services = c.get("services");
      const fields = newMemberFields(c.req.valid("json"));
      const row = await createMember(services.db, c.get("companyId"), fields, `api_key:${c.get("apiKeyId")}`).catch(memberErrors);
      // Recorded only with an email, consent and welcomes on; it never fails the enrolment.
      await services.notifier(origin(c)).welcome(c.get("companyId"), row.id);
      return c.json(memberJson(row, origin(c)), 201);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/members",
      tags: TAGS,
      summary: "List members (oldest first, cursor-paginated), or search them with q",
      security: bearerSecurity,
      request: { query: MemberListQuery },
      responses: {
        200: {
          description: "A page of members; next_cursor is null on the last page and for a search",
          content: { "application/json": { schema: z.object({ data: z.array(Member), next_cursor: z.string().nullable() }) } },
        },
        ...errorResponses(400),
      },
    }),
    async (c) => {
      const { db } = c.get("services");
      const { limit, cursor, q } = c.req.valid("query");
      const base = origin(c);
      if (q !== undefined) {
        const rows = await searchMemberRows(db, c.get("companyId"), q);
        return c.json({ data: rows.slice(0, limit).map((r) => memberJson(r, base)), next_cursor: null }, 200);
      }
      const afterPk = cursor === undefined ? 0 : decodeCursor(cursor);
      if (afterPk === null) throw new AdminError("invalid_request", "cursor: Not a cursor from this API");
      const page = await listMembers(db, c.get("companyId"), { limit, afterPk });
      return c.json({ data: page.rows.map((r) => memberJson(r, base)), next_cursor: page.nextCursor }, 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/members/{id}",
      tags: TAGS,
      summary: "Read a member",
      security: bearerSecurity,
      request: { params: PathId },
      responses: { 200: memberResponse("The member"), ...errorResponses(404) },
    }),
    async (c) => {
      const row = found(await getMember(c.get("services").db, c.get("companyId"), c.req.valid("param").id));
      return c.json(memberJson(row, origin(c)), 200);
    },
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/members/{id}",
      tags: TAGS,
      summary: "Change a member's name, email, phone, card number or email consent",
      description:
        "The POS sees the change at its next search or reward lookup. email_consent_at moves only when email_consent changes; " +
        "giving consent later sends no welcome.",
      security: bearerSecurity,
      request: {
        params: PathId,
        body: {
          required: true,
          content: {
            "application/json": {
              schema: MemberPatch,
              examples: {
                change: { summary: "A new phone number and card", value: { phone: "+61 412 345 999", card_number: "100-200-399" } },
                clear: { summary: "Clear the email (null clears an optional field)", value: { email: null, phone: "0412 345 998" } },
                consent: { summary: "The member no longer wants emails about their points", value: { email_consent: false } },
              },
            },
          },
        },
      },
      responses: { 200: memberResponse("The member as changed"), ...errorResponses(400, 404, 409) },
    }),
    async (c) => {
      const { db } = c.get("services");
      const { id } = c.req.valid("param");
      const row = found(await updateMember(db, c.get("companyId"), id, patchFields(c.req.valid("json"))).catch(memberErrors));
      await syncCard(c, row.id, row.status === "active");
      return c.json(memberJson(row, origin(c)), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/members/{id}/deactivate",
      tags: TAGS,
      summary: "Deactivate a member",
      description: "The POS no longer finds the member nor offers rewards; points and history stay.",
      security: bearerSecurity,
      request: { params: PathId },
      responses: { 200: memberResponse("The member, now inactive"), ...errorResponses(404) },
    }),
    async (c) => {
      const row = found(await deactivateMember(c.get("services").db, c.get("companyId"), c.req.valid("param").id));
      await syncCard(c, row.id, false);
      return c.json(memberJson(row, origin(c)), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/members/{id}/reactivate",
      tags: TAGS,
      summary: "Reactivate a member",
      description:
        "The POS finds the member again and offers rewards, with the points and history they had. Reactivating an active member changes nothing.",
      security: bearerSecurity,
      request: { params: PathId },
      responses: { 200: memberResponse("The member, now active"), ...errorResponses(404, 409) },
    }),
    async (c) => {
      const row = found(await reactivateMember(c.get("services").db, c.get("companyId"), c.req.valid("param").id).catch(memberErrors));
      await syncCard(c, row.id, true);
      return c.json(memberJson(row, origin(c)), 200);
    },
  );
