import { createRoute, z } from "@hono/zod-openapi";
import { CsvError } from "../../loyalty/members/csv";
import { csvImportRows, ImportTooBigError, runMemberImport } from "../../loyalty/members/import-run";
import { IMPORT_COLUMNS, IMPORT_MAX_ROWS, ImportConflictError, type ImportRow } from "../../loyalty/members/member-import";
import { adminRouter, bearerSecurity } from "../app";
import { AdminError } from "../errors";
import { MemberImport, type MemberImportBody } from "../inputs/members";
import { errorResponses } from "../schemas";
import { TAGS } from "./members-common";

// The bulk import of members (JSON or CSV), matched by email, phone or card number.

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
              schema: MemberImport,
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
        const body = c.req.valid("json") as Partial<MemberImportBody>;
        if (!body.members) throw new AdminError("invalid_request", "members: Invalid input: expected array, received undefined");
        rows = body.members.map((values) => ({ values }));
      }
      const report = await runMemberImport(c.get("services"), c.get("companyId"), rows).catch((err: unknown) => {
        if (err instanceof ImportConflictError) throw new AdminError("conflict", err.message);
        throw err;
      });
      return c.json(report, 200);
    },
  );

function csvRows(text: string): ImportRow[] {
  try {
    return csvImportRows(text);
  } catch (err) {
    if (err instanceof CsvError) throw new AdminError("invalid_request", `CSV: ${err.message}`);
    if (err instanceof ImportTooBigError) {
      throw new AdminError("invalid_request", `members: Too big: expected array to have <=${IMPORT_MAX_ROWS} items`);
    }
    throw err;
  }
}
