import { z } from "@hono/zod-openapi";
import {
  cardNumberField,
  CONTACT_REQUIRED,
  emailField,
  firstNameField,
  hasContact,
  lastNameField,
  newMemberShape,
  phoneField,
  type MemberInput,
} from "../../loyalty/members/member-fields";
import { IMPORT_MAX_ROWS } from "../../loyalty/members/member-import";

// A member's fields: POST /members, PATCH /members/{id}, POST /members/import (JSON), and the query
// of GET /members.

const emailConsentField = z.boolean().openapi({
  description:
    "The member agreed to be emailed about their points and rewards (a welcome, a reward they can now afford, points about to expire). " +
    "Nobody is emailed without it; changing it records when (email_consent_at).",
});

export const NewMember = z
  .strictObject({ ...newMemberShape, email_consent: emailConsentField.optional() })
  .refine(hasContact, { error: CONTACT_REQUIRED })
  .openapi("NewMember", {
    description:
      "first_name and at least one of email, phone or card_number. A new member has 0 points. With an email and email_consent, " +
      "they are sent a welcome (when the programme sends welcomes).",
  });

export type NewMemberBody = z.infer<typeof NewMember>;

export const MemberPatch = z
  .strictObject({
    first_name: firstNameField.optional(),
    last_name: lastNameField.nullable().optional(),
    email: emailField.nullable().optional(),
    phone: phoneField.nullable().optional(),
    card_number: cardNumberField.nullable().optional(),
    email_consent: emailConsentField.optional(),
  })
  .refine((p) => Object.keys(p).length > 0, { error: "Send at least one field to change" })
  .openapi("MemberPatch", { description: "Any of the fields; null clears an optional one" });

export type MemberPatchBody = z.infer<typeof MemberPatch>;

/** The JSON bulk import: each member is validated as a NewMember by the import itself, row by row (a CSV is read by the route). */
export const MemberImport = z
  .object({
    members: z
      .array(
        z.record(z.string(), z.unknown()).openapi({
          description: "A NewMember without email_consent (the import does not take it); an invalid one is rejected in the report, not the request",
        }),
      )
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

/** What createMember takes for a valid new member (an empty last name is none; no consent unless given). */
export function newMemberFields(body: NewMemberBody): MemberInput {
  return {
    firstName: body.first_name,
    lastName: body.last_name || null,
    email: body.email ?? null,
    phone: body.phone ?? null,
    cardNumber: body.card_number ?? null,
    emailConsent: body.email_consent ?? false,
  };
}

/** What updateMember takes for a valid patch: only the fields sent (null clears; an empty last name is none). */
export function patchFields(body: MemberPatchBody): Partial<MemberInput> {
  const fields: Partial<MemberInput> = {};
  if (body.first_name !== undefined) fields.firstName = body.first_name;
  if (body.last_name !== undefined) fields.lastName = body.last_name || null;
  if (body.email !== undefined) fields.email = body.email;
  if (body.phone !== undefined) fields.phone = body.phone;
  if (body.card_number !== undefined) fields.cardNumber = body.card_number;
  if (body.email_consent !== undefined) fields.emailConsent = body.email_consent;
  return fields;
}
