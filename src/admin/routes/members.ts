import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { CsvError, csvObjects } from "../../loyalty/csv";
import {
  decodeCursor,
  deactivateMember,
  reactivateMember,
  getMember,
  listMembers,
  MemberError,
  createMember,
  memberJson,
  searchMemberRows,
  updateMember,
} from "../../loyalty/member-admin";
import {
  cardNumberField,
  emailField,
  firstNameField,
  lastNameField,
  newMemberSchema,
  phoneField,
  type MemberFields,
} from "../../loyalty/member-fields";
import { iconType, MAX_ICON_BYTES, removeMemberIcon, setMemberIcon } from "../../loyalty/member-icons";
import { IMPORT_COLUMNS, IMPORT_MAX_ROWS, ImportConflictError, importMembers, type ImportRow } from "../../loyalty/member-import";
import { refreshMemberCard } from "../../loyalty/members";
import { invalidateMemberCards } from "../../loyalty/programme";
import { adminBodyLimit, adminRouter, bearerSecurity, type AdminEnv } from "../app";
import { AdminError } from "../errors";
import { ErrorResponse, errorResponses } from "../schemas";

// Members: create, read, update, deactivate and reactivate, list (cursor) and search, bulk import, icons.

const TAGS = ["Members"];
// Import changes drop the changed members' POS cards one by one, up to this many (a Worker may make
// about 1,000 KV calls); beyond it, the company's cards generation goes up instead.
export const MAX_CARD_DROPS = 900;

const Member = z
  .object({
    id: z.string().openapi({ example: "mem_5k2x9q0c1vd8hm3t" }),
    first_name: z.string().openapi({ example: "John" }),
    last_name: z.string().nullable().openapi({ example: "Smith" }),
    email: z.string().nullable().openapi({ example: "john.smith@example.com" }),
    phone: z.string().nullable().openapi({ example: "0412 345 678" }),
    card_number: z.string().nullable().openapi({ example: "100200300" }),
    points: z.number().int().openapi({ description: "Changed only through points adjustments and sales" }),
    status: z.enum(["active", "inactive"]),
    icon_url: z.string().nullable().openapi({ example: "https://loyalty.example.com/icons/456/mem_5k2x9q0c1vd8hm3t?v=1" }),
    created_at: z.string().openapi({ format: "date-time" }),
    updated_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("Member");

const NewMember = newMemberSchema.openapi("NewMember", {
  description: "first_name and at least one of email, phone or card_number. A new member has 0 points.",
});

const MemberPatch = z
  .strictObject({
    first_name: firstNameField.optional(),
    last_name: lastNameField.nullable().optional(),
    email: emailField.nullable().optional(),
    phone: phoneField.nullable().optional(),
    card_number: cardNumberField.nullable().optional(),
  })
  .refine((p) => Object.keys(p).length > 0, { error: "Send at least one field to change" })
  .openapi("MemberPatch", { description: "Any of the fields; null clears an optional one" });

const MemberId = z.object({ id: z.string().min(1).max(64).openapi({ param: { name: "id", in: "path" } }) });

const ListQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ param: { name: "limit", in: "query" }, example: 50 }),
  cursor: z.string().max(40).optional().openapi({ param: { name: "cursor", in: "query" }, description: "next_cursor of the previous page" }),
  q: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .openapi({ param: { name: "q", in: "query" }, description: "Search as the POS does: name, email, phone or card number (active members, best first, no cursor)" }),
});

const ImportRowReport = z
  .object({
    row: z.number().int().openapi({ description: "1-based; in a CSV the first row after the header is 1" }),
    status: z.enum(["created", "updated", "unchanged", "rejected"]),
    id: z.string().optional(),
    reason: z.string().optional().openapi({ example: "email: Invalid email address" }),
  })
  .openapi("ImportRowReport");

const ImportReport = z
  .object({
    created: z.number().int(),
    updated: z.number().int(),
    unchanged: z.number().int(),
    rejected: z.number().int(),
    rows: z.array(ImportRowReport),
  })
  .openapi("ImportReport");

const ImportBody = z
  .object({
    members: z
      .array(z.record(z.string(), z.unknown()).openapi({ description: "A NewMember; an invalid one is rejected in the report, not the request" }))
      .max(IMPORT_MAX_ROWS),
  })
  .openapi("MemberImport");

// A 16x16 icon, for the upload's examples (what PUT /members/{id}/icon takes is the image file itself).
const exampleIcon = {
  png: "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAYAAAAf8/9hAAABk0lEQVR4AaSQO0hCcRjFDxGVhRJlNYQRKCSYQ48pEioCp6yp1kiCXoMETeFUNEU49ILosbekLTU1KE41SDoEGk0tWWiR4IPK89f75/qaunDkfN93zs/Lrfv951OHsuczlcP+VRSLe/ewue6E6LnjrSyOEoD/MQ6HO4Cj6xiCkXd8fGWE6LnjjRk1RAIC4TiWPA94S6TV9xLPGzNqiAAkv7PYPAvLcOTUDkou8mZ12gQqb+G+CIMdegHwBl8RT9b+ZxZXHEbmhfgm7HAQgFAsQV9VSvn85gUH3qjMKJ0C4Lk6QF3evXySZZpQsSMAmewPdzWVSucqbkpHAMwGbUWAC77yoS8mPt68vZcrKaVTAPTo5KHcKJCN2T6oIeZiRwDmxgzQaurLu3JWIC1NhQyz7DAgAN16DbYX+jkLWZy3oMRQ/CGE4rjjtIIdegGgmRzswrFrCB2tjRyrijdmJgY65V0CuLFZ9fBtjWJ5yogRSzvatA1C9NzxxgyzikoAXOqa67E2Y8LJ+jD8nnEheu54Y0atPwAAAP//7eay0gAAAAZJREFUAwDZl97h3dQJdwAAAABJRU5ErkJggg==",
  jpeg:
    "data:image/jpeg;base64,/9j/4AAQSkZJRgABAQAAAQABAAD/4gHYSUNDX1BST0ZJTEUAAQEAAAHIAAAAAAQwAABtbnRyUkdCIFhZWiAH4AABAAEAAAAAAABhY3NwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAQAA9tYAAQAAAADTLQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAlkZXNjAAAA8AAAACRyWFlaAAABFAAAABRnWFlaAAABKAAAABRiWFlaAAABPAAAABR3dHB0AAABUAAAABRyVFJDAAABZAAAAChnVFJDAAABZAAAAChiVFJDAAABZAAAAChjcHJ0AAABjAAAADxtbHVjAAAAAAAAAAEAAAAMZW5VUwAAAAgAAAAcAHMAUgBHAEJYWVogAAAAAAAAb6IAADj1AAADkFhZWiAAAAAAAABimQAAt4UAABjaWFlaIAAAAAAAACSgAAAPhAAAts9YWVogAAAAAAAA9tYAAQAAAADTLXBhcmEAAAAAAAQAAAACZmYAAPKnAAANWQAAE9AAAApbAAAAAAAAAABtbHVjAAAAAAAAAAEAAAAMZW5VUwAAACAAAAAcAEcAbwBvAGcAbABlACAASQBuAGMALgAgADIAMAAxADb/2wBDAAoHBwgHBgoICAgLCgoLDhgQDg0NDh0VFhEYIx8lJCIfIiEmKzcvJik0KSEiMEExNDk7Pj4+JS5ESUM8SDc9Pjv/2wBDAQoLCw4NDhwQEBw7KCIoOzs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozs7Ozv/wAARCAAQABADASIAAhEBAxEB/8QAFgABAQEAAAAAAAAAAAAAAAAAAwIG/8QAIBAAAQQCAgMBAAAAAAAAAAAABQECBBEDQQAhEhQyUf/EABUBAQEAAAAAAAAAAAAAAAAAAAQF/8QAHhEAAQIHAQAAAAAAAAAAAAAAEQBhEhMiI0Gh8PH/2gAMAwEAAhEDEQA/ANUZNEzBkmNGzXwsQ2NkyquJtvzPZVttFtO1rr84YA8TFmYgktO9t0rp+Ny+T4z1+UV21XaavlmApMMZJkhsJ83ESjZMVYnU/C99KrqRLXtL6/eGAAEypmIWKwfUdFp2TI5PF8l6fKq3Sptd8qW5eAGJHeIVcb6C/9k=",
};

const memberResponse = (description: string) => ({ description, content: { "application/json": { schema: Member } } });

function patchFields(body: z.infer<typeof MemberPatch>): Partial<MemberFields> {
  const fields: Partial<MemberFields> = {};
  if (body.first_name !== undefined) fields.firstName = body.first_name;
  if (body.last_name !== undefined) fields.lastName = body.last_name || null;
  if (body.email !== undefined) fields.email = body.email;
  if (body.phone !== undefined) fields.phone = body.phone;
  if (body.card_number !== undefined) fields.cardNumber = body.card_number;
  return fields;
}

function memberErrors(err: unknown): never {
  if (err instanceof MemberError) throw new AdminError(err.kind === "conflict" ? "conflict" : "invalid_request", err.message);
  throw err;
}

/** Our public origin, for icon URLs (as src/kounta/origin.ts gives the POS). */
function origin(c: Context<AdminEnv>): string {
  return c.get("services").config.PUBLIC_BASE_URL?.replace(/\/+$/, "") ?? new URL(c.req.url).origin;
}

const NOT_FOUND = "This company has no member with that id";

function found<T>(value: T | null): T {
  if (value === null) throw new AdminError("not_found", NOT_FOUND);
  return value;
}

/** After a change the POS would show: a fresh card for an active member, none for an inactive one. */
async function syncCard(c: Context<AdminEnv>, memberId: string, active: boolean) {
  const { db, cache } = c.get("services");
  if (active) await refreshMemberCard(db, cache, c.get("companyId"), memberId);
  else await cache.deleteMemberCard(c.get("companyId"), memberId);
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
                  summary: "With an email and a phone number",
                  value: { first_name: "Ada", last_name: "Lovelace", email: "ada.lovelace@example.com", phone: "0412 345 678" },
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
      const body = c.req.valid("json");
      const fields: MemberFields = {
        firstName: body.first_name,
        lastName: body.last_name || null,
        email: body.email ?? null,
        phone: body.phone ?? null,
        cardNumber: body.card_number ?? null,
      };
      const row = await createMember(c.get("services").db, c.get("companyId"), fields, `api_key:${c.get("apiKeyId")}`).catch(
        memberErrors,
      );
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
      request: { query: ListQuery },
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
      request: { params: MemberId },
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
      summary: "Change a member's name, email, phone or card number",
      description: "The POS sees the change at its next search or reward lookup.",
      security: bearerSecurity,
      request: {
        params: MemberId,
        body: {
          required: true,
          content: {
            "application/json": {
              schema: MemberPatch,
              examples: {
                change: { summary: "A new phone number and card", value: { phone: "+61 412 345 999", card_number: "100-200-399" } },
                clear: { summary: "Clear the email (null clears an optional field)", value: { email: null, phone: "0412 345 998" } },
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
      request: { params: MemberId },
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
      request: { params: MemberId },
      responses: { 200: memberResponse("The member, now active"), ...errorResponses(404, 409) },
    }),
    async (c) => {
      const row = found(await reactivateMember(c.get("services").db, c.get("companyId"), c.req.valid("param").id).catch(memberErrors));
      await syncCard(c, row.id, true);
      return c.json(memberJson(row, origin(c)), 200);
    },
  )
  .openapi(
    createRoute({
      method: "post",
      path: "/members/import",
      tags: TAGS,
      summary: `Import up to ${IMPORT_MAX_ROWS} members (JSON or CSV), matched by email, phone or card number`,
      description:
        "A row matching one member of this company by email, phone or card number updates it (fields left empty keep their value); " +
        "a row matching none creates a member (0 points); a row that is invalid or matches two members is rejected with a reason. " +
        `Re-running an import changes nothing. CSV: a header row naming some of ${IMPORT_COLUMNS.join(", ")}.`,
      security: bearerSecurity,
      request: {
        body: {
          required: false,
          content: {
            "application/json": {
              schema: ImportBody,
              example: {
                members: [
                  { first_name: "Grace", last_name: "Hopper", email: "grace.hopper@example.com", phone: "0400 000 001" },
                  { first_name: "Alan", last_name: "Turing", card_number: "100200302" },
                ],
              },
            },
            "text/csv": {
              schema: z.string(),
              example:
                "first_name,last_name,email,phone,card_number\n" +
                "Grace,Hopper,grace.hopper@example.com,0400 000 001,\n" +
                "Katherine,Johnson,katherine.johnson@example.com,,100200303\n",
            },
          },
        },
      },
      responses: {
        200: { description: "What happened to each row", content: { "application/json": { schema: ImportReport } } },
        ...errorResponses(400, 409, 413),
      },
    }),
    async (c) => {
      const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
      let rows: ImportRow[];
      if (type === "text/csv") {
        rows = csvRows(await c.req.text());
      } else {
        const body = c.req.valid("json") as Partial<z.infer<typeof ImportBody>>;
        if (!body.members) throw new AdminError("invalid_request", "members: Invalid input: expected array, received undefined");
        rows = body.members.map((values) => ({ values }));
      }
      const { db, cache, logger } = c.get("services");
      const companyId = c.get("companyId");
      const result = await importMembers(db, companyId, rows).catch((err: unknown) => {
        if (err instanceof ImportConflictError) throw new AdminError("conflict", err.message);
        throw err;
      });
      const changed = result.changedMemberIds;
      if (changed.length > MAX_CARD_DROPS) {
        // More than one request may drop card by card: every card of the company goes at once.
        logger.info("import changed many members: all member cards invalidated", { changed: changed.length });
        await invalidateMemberCards(db, cache, companyId);
      } else {
        await Promise.all(changed.map((id) => cache.deleteMemberCard(companyId, id)));
      }
      return c.json(result.report, 200);
    },
  )
  .openapi(
    createRoute({
      method: "put",
      path: "/members/{id}/icon",
      tags: TAGS,
      summary: "Upload a member's icon (PNG or JPEG, up to 1 MB)",
      description: "The body is the image itself. The member's icon_url then serves it; the POS shows it at its next lookup.",
      security: bearerSecurity,
      middleware: [adminBodyLimit(MAX_ICON_BYTES)] as const,
      request: {
        params: MemberId,
        body: {
          required: true,
          content: {
            "image/png": {
              schema: z.string().openapi({ format: "binary" }),
              examples: {
                icon: {
                  summary: "A 16x16 PNG icon",
                  description: "The file as the body, e.g. curl -X PUT -H 'content-type: image/png' --data-binary @icon.png",
                  externalValue: exampleIcon.png,
                },
              },
            },
            "image/jpeg": {
              schema: z.string().openapi({ format: "binary" }),
              examples: {
                icon: {
                  summary: "A 16x16 JPEG icon",
                  description: "The file as the body, e.g. curl -X PUT -H 'content-type: image/jpeg' --data-binary @icon.jpg",
                  externalValue: exampleIcon.jpeg,
                },
              },
            },
          },
        },
      },
      responses: {
        200: memberResponse("The member, with its new icon_url"),
        ...errorResponses(404, 413),
        415: { description: "Not a PNG or JPEG (code unsupported_media_type)", content: { "application/json": { schema: ErrorResponse } } },
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const body = await c.req.arrayBuffer();
      const contentType = iconType(c.req.header("content-type"), new Uint8Array(body.slice(0, 8)));
      if (!contentType) throw new AdminError("unsupported_media_type", "Send a PNG or JPEG image as image/png or image/jpeg");
      if (body.byteLength > MAX_ICON_BYTES) throw new AdminError("payload_too_large", "An icon is at most 1 MB");
      const { db, cache } = c.get("services");
      const row = found(await setMemberIcon(db, cache, { companyId: c.get("companyId"), memberId: id, body, contentType }));
      await syncCard(c, row.id, row.status === "active");
      return c.json(memberJson(row, origin(c)), 200);
    },
  )
  .openapi(
    createRoute({
      method: "delete",
      path: "/members/{id}/icon",
      tags: TAGS,
      summary: "Remove a member's icon",
      security: bearerSecurity,
      request: { params: MemberId },
      responses: { 200: memberResponse("The member, icon_url null"), ...errorResponses(404) },
    }),
    async (c) => {
      const row = found(await removeMemberIcon(c.get("services").db, c.get("services").cache, { companyId: c.get("companyId"), memberId: c.req.valid("param").id }));
      await syncCard(c, row.id, row.status === "active");
      return c.json(memberJson(row, origin(c)), 200);
    },
  );

function csvRows(text: string): ImportRow[] {
  let parsed: ReturnType<typeof csvObjects>;
  try {
    parsed = csvObjects(text, IMPORT_COLUMNS);
  } catch (err) {
    if (err instanceof CsvError) throw new AdminError("invalid_request", `CSV: ${err.message}`);
    throw err;
  }
  if (parsed.rows.length > IMPORT_MAX_ROWS) {
    throw new AdminError("invalid_request", `members: Too big: expected array to have <=${IMPORT_MAX_ROWS} items`);
  }
  return parsed.rows.map((row) =>
    "fieldCount" in row
      ? { unreadable: `has ${row.fieldCount} fields, the header has ${parsed.header.length}` }
      : { values: row },
  );
}
