import { sql } from "drizzle-orm";
import type { Database } from "../../storage/db";
import { all, query } from "../../storage/sql";

// A member's agreement to be emailed about their points and rewards (members.email_consent), as the
// unsubscribe link changes it: the member themselves, with no sign-in (src/member-pages/unsubscribe.tsx).

export interface ConsentHolder {
  memberId: string;
  firstName: string;
  companyName: string;
  consent: boolean;
}

/** The member and their company's name (null: no such member of the company). */
export async function readEmailConsent(db: Database, companyId: string, memberId: string): Promise<ConsentHolder | null> {
  const [row] = await all(
    db,
    query<{ id: string; first_name: string; email_consent: number; company_name: string }>(sql`
      SELECT m.id, m.first_name, m.email_consent, c.name AS company_name
      FROM members m JOIN companies c ON c.id = m.company_id
      WHERE m.company_id = ${companyId} AND m.id = ${memberId}`),
  );
  return row ? { memberId: row.id, firstName: row.first_name, companyName: row.company_name, consent: row.email_consent === 1 } : null;
}

/** Sets the consent; email_consent_at moves only when it changes. Answers the member as it is now (null: none). */
export async function setEmailConsent(db: Database, companyId: string, memberId: string, consent: boolean, now = Date.now()): Promise<ConsentHolder | null> {
  const value = consent ? 1 : 0;
  await all(
    db,
    query(sql`
      UPDATE members SET email_consent = ${value}, email_consent_at = ${now}, updated_at = ${now}
      WHERE company_id = ${companyId} AND id = ${memberId} AND email_consent <> ${value}`),
  );
  return readEmailConsent(db, companyId, memberId);
}
