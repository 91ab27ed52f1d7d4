import { newId } from "../../lib/crypto";
import type { Database } from "../../storage/db";
import { members, pointsLedger } from "../../storage/schema";
import { openingKey } from "../ledger/keys";
import { normalizeCardNumber } from "./member-fields";
import { restartReindexIfCodeChanged } from "../search/search-reindex";
import { buildSearchTerms } from "../search/search-terms";

export interface NewMember {
  companyId: string;
  firstName: string;
  lastName?: string | null;
  email?: string | null;
  phone?: string | null;
  cardNumber?: string | null;
  iconVersion?: number | null;
  /** The member agreed to be emailed about their points and rewards (email_consent_at: now). */
  emailConsent?: boolean;
  /** Points to open the account with: written as an adjustment row, so the ledger explains them. */
  openingPoints?: number;
  actor: string;
}

/**
 * Enrols a member. The member row and the opening-balance ledger row go in one D1 batch, so the
 * balance equals the sum of the ledger from the first moment. `countryCode` is the company's phone
 * country code as the caller read it (the search tokens are built with it).
 */
export async function enrolMember(
  db: Database,
  input: NewMember,
  options: { countryCode: string | null; id?: string; now?: number },
): Promise<string> {
  const { id, statements } = enrolmentStatements(db, input, options);
  await db.batch(statements);
  return id;
}

/**
 * The statements of enrolMember, for a caller that runs them in a batch of its own (with more
 * statements of the same transaction, as joining does with the member's card link).
 */
export function enrolmentStatements(db: Database, input: NewMember, options: { countryCode: string | null; id?: string; now?: number }) {
  const id = options.id ?? newId("mem");
  const now = options.now ?? Date.now();
  const opening = input.openingPoints ?? 0;
  const fields = {
    companyId: input.companyId,
    firstName: input.firstName.trim(),
    lastName: input.lastName?.trim() || null,
    email: input.email?.trim().toLowerCase() || null,
    phone: input.phone?.trim() || null,
    cardNumber: input.cardNumber ? normalizeCardNumber(input.cardNumber) || null : null,
    status: "active" as const,
  };
  const insertMember = db.insert(members).values({
    ...fields,
    id,
    iconVersion: input.iconVersion ?? null,
    emailConsent: input.emailConsent ?? false,
    emailConsentAt: input.emailConsent ? now : null,
    points: opening,
    searchTerms: buildSearchTerms(fields, options.countryCode),
    createdAt: now,
    updatedAt: now,
  });
  const openingRow = db.insert(pointsLedger).values({
    id: newId("led"),
    companyId: input.companyId,
    memberId: id,
    delta: opening,
    reason: "adjustment",
    actor: input.actor,
    note: "Opening balance",
    idempotencyKey: openingKey(id),
    createdAt: now,
  });
  const recheck = restartReindexIfCodeChanged(db, input.companyId, options.countryCode);
  return { id, statements: opening === 0 ? ([insertMember, recheck] as const) : ([insertMember, openingRow, recheck] as const) };
}
