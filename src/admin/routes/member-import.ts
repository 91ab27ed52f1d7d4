import { createRoute, z } from "@hono/zod-openapi";
import { CsvError, csvObjects } from "../../loyalty/members/csv";
import { IMPORT_COLUMNS, IMPORT_MAX_ROWS, ImportConflictError, importMembers, type ImportRow } from "../../loyalty/members/member-import";
import { invalidateMemberCards } from "../../loyalty/cache";
import { adminRouter, bearerSecurity } from "../app";
import { AdminError } from "../errors";
import { errorResponses } from "../schemas";
import { TAGS } from "./members-common";

// The bulk import of members (JSON or CSV), matched by email, phone or card number.

// Import changes drop the changed members' POS cards one by one, up to this many (a Worker may make
// about 1,000 KV calls); beyond it, the company's cards generation goes up instead.
export const MAX_CARD_DROPS = 900;

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

export const memberImportRoutes = adminRouter()
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
