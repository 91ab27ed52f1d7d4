import { z } from "@hono/zod-openapi";
import {
  cardNumberField,
  emailField,
  firstNameField,
  lastNameField,
  newMemberSchema,
  phoneField,
  type MemberFields,
} from "../../loyalty/members/member-fields";
import { IMPORT_MAX_ROWS } from "../../loyalty/members/member-import";

// A member's fields: POST /members, PATCH /members/{id}, POST /members/import (JSON), and the query
// of GET /members.

export const NewMember = newMemberSchema.openapi("NewMember", {
  description: "first_name and at least one of email, phone or card_number. A new member has 0 points.",
});

export type NewMemberBody = z.infer<typeof NewMember>;

export const MemberPatch = z
  .strictObject({
    first_name: firstNameField.optional(),
    last_name: lastNameField.nullable().optional(),
    email: emailField.nullable().optional(),
    phone: phoneField.nullable().optional(),
    card_number: cardNumberField.nullable().optional(),
  })
  .refine((p) => Object.keys(p).length > 0, { error: "Send at least one field to change" })
  .openapi("MemberPatch", { description: "Any of the fields; null clears an optional one" });

export type MemberPatchBody = z.infer<typeof MemberPatch>;

/** The JSON bulk import: each member is validated as a NewMember by the import itself, row by row (a CSV is read by the route). */
export const MemberImport = z
  .object({
    members: z
      .array(z.record(z.string(), z.unknown()).openapi({ description: "A NewMember; an invalid one is rejected in the report, not the request" }))
      .max(IMPORT_MAX_ROWS),
  })
  .openapi("MemberImport");

export type MemberImportBody = z.infer<typeof MemberImport>;

export const MemberListQuery = z.object({
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

export type MemberListQueryParams = z.infer<typeof MemberListQuery>;

/** What createMember takes for a valid new member (an empty last name is none). */
export function newMemberFields(body: NewMemberBody): MemberFields {
  return {
    firstName: body.first_name,
    lastName: body.last_name || null,
    email: body.email ?? null,
    phone: body.phone ?? null,
    cardNumber: body.card_number ?? null,
  };
}

/** What updateMember takes for a valid patch: only the fields sent (null clears; an empty last name is none). */
export function patchFields(body: MemberPatchBody): Partial<MemberFields> {
  const fields: Partial<MemberFields> = {};
  if (body.first_name !== undefined) fields.firstName = body.first_name;
  if (body.last_name !== undefined) fields.lastName = body.last_name || null;
  if (body.email !== undefined) fields.email = body.email;
  if (body.phone !== undefined) fields.phone = body.phone;
  if (body.card_number !== undefined) fields.cardNumber = body.card_number;
  return fields;
}
