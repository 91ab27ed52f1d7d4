import { sql } from "drizzle-orm";
import { z } from "zod";
import { newId } from "../../lib/crypto";
import type { Database } from "../../storage/db";
import { connectionJoinSql, connectionStatusColumnSql, type ConnectionStatusColumn } from "../../storage/kounta-connections";
import { batch, query, type Query } from "../../storage/sql";
import { nationalPhoneDigits, tokenStart } from "../search/search-terms";
import { cardLinkStatements } from "./card-links";
import { newCardNumber } from "./card-numbers";
import { enrolmentStatements } from "./enrol";
import { duplicateField } from "./member-admin";
import { emailField, firstNameField, lastNameField, phoneField } from "./member-fields";

// A customer joins a company's programme themselves (/join/<company id>, from the poster at the
// counter): a member with a card number of ours (check digit included, unique in the company) and a
// link to their own card page, written in one D1 batch (one transaction: all or nothing). Nobody
// joins twice: an email or phone a member of the company already has answers "exists".

/** Who writes a joined member (the actor of their rows). */
export const JOIN_ACTOR = "join";

/** What the join form takes, through the member field schemas (the admin API's own rules). */
export const JOIN_CONTACT_REQUIRED = "Give an email or a mobile number";
export const joinDetailsSchema = z
  .object({
    first_name: firstNameField,
    last_name: lastNameField.optional(),
    email: emailField.optional(),
    phone: phoneField.optional(),
    consent: z.literal(true),
    // Optional, never ticked for them: emails about their points and rewards (src/loyalty/notifications/).
    email_consent: z.boolean().optional(),
  })
  // Checked even when another field is wrong (`when`), so the form names every problem at once.
  .refine((body) => Boolean(body.email || body.phone), { path: ["email"], message: JOIN_CONTACT_REQUIRED, when: () => true });

export type JoinDetails = z.output<typeof joinDetailsSchema>;

/** The consent a company that wrote no terms of its own asks for. */
export function defaultJoinTerms(companyName: string): string {
  return `I agree to join the ${companyName} loyalty programme and for ${companyName} to keep my name and contact details for it.`;
}

/** What joining needs of the company. */
export interface JoinCompany {
  id: string;
  name: string;
  pointsLabel: string;
  introText: string | null;
  joinTerms: string | null;
  selfEnrol: boolean;
  connected: boolean;
  phoneCountryCode: string | null;
}

/** Why a company takes no one: unknown (no such company), not connected to Kounta, or joining turned off. */
export type JoinClosed = "unknown" | "not_connected" | "self_enrol_off";

export function joinClosed(company: JoinCompany | null): JoinClosed | null {
  if (!company) return "unknown";
  if (!company.connected) return "not_connected";
  if (!company.selfEnrol) return "self_enrol_off";
  return null;
}

/** A member who has the email or phone given (the email first). */
export interface ContactMatch {
  memberId: string;
  firstName: string;
  email: string | null;
  active: boolean;
}

export interface Contact {
  email: string | null;
  phone: string | null;
}

type CompanyRow = {
  id: string;
  name: string;
  points_label: string;
  intro_text: string | null;
  join_terms: string | null;
  self_enrol: number;
  phone_country_code: string | null;
} & ConnectionStatusColumn;

type MatchRow = { id: string; first_name: string; email: string | null; status: "active" | "inactive" };

function companyStatement(companyId: string): Query<CompanyRow> {
  return query<CompanyRow>(sql`
    SELECT c.id, c.name, c.points_label, c.intro_text, c.join_terms, c.self_enrol, c.phone_country_code, ${connectionStatusColumnSql("k")}
    FROM companies c ${connectionJoinSql("k", sql`c.id`)}
    WHERE c.id = ${companyId}`);
}

/**
 * The member with this email (the unique index), else one with this phone: its whole number in the
 * search index, read as the POS search reads what a scanner or cashier types (national digits, so
 * "+61 412 345 678" meets "0412 345 678"; only active members have search terms). Null when
 * neither is given.
 */
function contactStatement(companyId: string, contact: Contact): Query<MatchRow> | null {
  const digits = contact.phone ? nationalPhoneDigits(contact.phone, null) : "";
  const arms = [];
  if (contact.email) {
    arms.push(sql`SELECT 0 AS rank, id, first_name, email, status FROM members WHERE company_id = ${companyId} AND email = ${contact.email}`);
  }
  if (digits.length >= 3) {
    // The token holds digits and "_" only: quoted, nothing of it reaches FTS5 syntax.
    const phrase = `"${tokenStart(companyId, "p")}${digits}"`;
    arms.push(sql`
      SELECT 1 AS rank, m.id, m.first_name, m.email, m.status
      FROM (SELECT rowid AS pk FROM members_fts WHERE members_fts MATCH ${phrase} LIMIT 5) f
      CROSS JOIN members m ON m.pk = f.pk
      WHERE m.company_id = ${companyId}`);
  }
  if (arms.length === 0) return null;
  return query<MatchRow>(sql`SELECT id, first_name, email, status FROM (${sql.join(arms, sql` UNION ALL `)}) ORDER BY rank LIMIT 1`);
}

function companyOf(row: CompanyRow | undefined): JoinCompany | null {
  if (!row) return null;
  return {
    id: row.id,
    name: row.name,
    pointsLabel: row.points_label,
    introText: row.intro_text,
    joinTerms: row.join_terms,
    selfEnrol: Boolean(row.self_enrol),
    connected: row.connection_status === "connected",
    phoneCountryCode: row.phone_country_code,
  };
}

/** The company, and the member who has the contact given (if any): one D1 round trip. */
export async function readJoin(db: Database, companyId: string, contact?: Contact): Promise<{ company: JoinCompany | null; existing: ContactMatch | null }> {
  const match = contact ? contactStatement(companyId, contact) : null;
  if (!match) {
    const [companies] = await batch(db, [companyStatement(companyId)]);
    return { company: companyOf(companies[0]), existing: null };
  }
  const [companies, matches] = await batch(db, [companyStatement(companyId), match]);
  const row = matches[0];
  return {
    company: companyOf(companies[0]),
    existing: row ? { memberId: row.id, firstName: row.first_name, email: row.email, active: row.status === "active" } : null,
  };
}

export type JoinOutcome = { kind: "joined"; memberId: string; cardNumber: string; token: string } | { kind: "exists" };

/** Attempts at a card number nobody in the company has (11 random digits: a second is already rare). */
const CARD_NUMBER_ATTEMPTS = 3;

/**
 * Enrols the customer with no points, a new card number and a card link, in one batch. Another join
 * with the same email landing first (the unique index) answers "exists"; a card number already
 * taken is drawn again.
 */
export async function joinProgramme(db: Database, company: JoinCompany, details: JoinDetails, now = Date.now()): Promise<JoinOutcome> {
  for (let attempt = 1; ; attempt++) {
    const cardNumber = newCardNumber();
    const memberId = newId("mem");
    const enrolment = enrolmentStatements(
      db,
      {
        companyId: company.id,
        firstName: details.first_name,
        lastName: details.last_name || null,
        email: details.email || null,
        phone: details.phone || null,
        cardNumber,
        emailConsent: details.email_consent === true,
        actor: JOIN_ACTOR,
      },
      { countryCode: company.phoneCountryCode, id: memberId, now },
    );
    const link = await cardLinkStatements({ companyId: company.id, memberId }, now);
    try {
      await batch(db, [...enrolment.statements.map((s) => query(s.getSQL())), ...link.statements]);
      return { kind: "joined", memberId, cardNumber, token: link.token };
    } catch (err) {
      const field = duplicateField(err);
      if (field === "email") return { kind: "exists" };
      if (field !== "card_number" || attempt >= CARD_NUMBER_ATTEMPTS) throw err;
    }
  }
}
