import { z } from "zod";

// A member's editable fields as the admin API and the bulk import accept them. Emails are stored
// lower-cased; a phone is kept as entered (for display) and matched by its national digits.

export const firstNameField = z.string().trim().min(1).max(100);
export const lastNameField = z.string().trim().max(100);
export const emailField = z.string().trim().toLowerCase().max(254).pipe(z.email()).meta({ format: "email" });
export const phoneField = z
  .string()
  .trim()
  .max(40)
  .regex(/^\+?[\d\s\-().]*\d[\d\s\-().]*$/, "Use digits, spaces and + - ( ) only")
  .refine((p) => p.replace(/\D/g, "").length >= 3, "A phone number has at least 3 digits");
/**
 * A card number as stored: without the spaces and dashes it may be printed or typed with, in capitals,
 * so "100 200 300", "100-200-300" and "100200300" are one card (unique per company) and an import
 * finds the member by it however it is written.
 */
export function normalizeCardNumber(card: string): string {
  return card.replace(/[\s-]+/g, "").toUpperCase();
}

export const cardNumberField = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9 -]+$/, "Use letters, digits, spaces and - only")
  .transform(normalizeCardNumber)
  .refine((card) => card.length > 0, "A card number has at least one letter or digit");

// Kounta enrols a customer with an email or a phone; a loyalty card alone identifies one at the till.
export const CONTACT_REQUIRED = "A member needs an email, phone or card_number";

export interface MemberFields {
  firstName: string;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  cardNumber: string | null;
}

/**
 * What the merchant gives of a member (the admin API, the dashboard): the fields, and whether the
 * member agreed to be emailed about their points and rewards (undefined: not said, nothing changes).
 */
export type MemberInput = MemberFields & { emailConsent?: boolean };

/** A member's name and contact columns as D1 answers them. */
export interface MemberFieldsRow {
  first_name: string;
  last_name: string | null;
  email: string | null;
  phone: string | null;
  card_number: string | null;
}

export function memberFieldsOf(row: MemberFieldsRow): MemberFields {
  return { firstName: row.first_name, lastName: row.last_name, email: row.email, phone: row.phone, cardNumber: row.card_number };
}

export const hasContact = (m: { email?: string | null; phone?: string | null; card_number?: string | null }) =>
  Boolean(m.email || m.phone || m.card_number);

/** A new member's name and contact fields (the import's columns; POST /members takes email_consent too). */
export const newMemberShape = {
  first_name: firstNameField,
  last_name: lastNameField.nullable().optional(),
  email: emailField.nullable().optional(),
  phone: phoneField.nullable().optional(),
  card_number: cardNumberField.nullable().optional(),
};

/** One member as the import takes it. */
export const newMemberSchema = z.strictObject(newMemberShape).refine(hasContact, { error: CONTACT_REQUIRED });

export type NewMemberBody = z.infer<typeof newMemberSchema>;
