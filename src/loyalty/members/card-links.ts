import { sql } from "drizzle-orm";
import { base64Url, sha256Base64Url } from "../../lib/crypto";
import type { Database } from "../../storage/db";
import { all, batch, query } from "../../storage/sql";

// The links to members' own card pages, /card/<token> (the only SQL on member_card_links). A token
// is 32 random bytes in base64url; D1 keeps only its SHA-256, so the database cannot open a card.
// Issuing a link from the dashboard or the admin API revokes the member's others (a lost phone);
// a link the member asks for by email ("send me my card link") leaves them live, so that someone who
// merely knows a member's email cannot make the member's card stop working.

export interface CardLink {
  companyId: string;
  memberId: string;
}

export interface IssueOptions {
  /** Revoke the member's other live links (default true). */
  revokeOthers?: boolean;
}

/** A new link for the member (the old ones revoked, unless told not to); the only time the token is known. */
export async function issueCardLink(db: Database, link: CardLink, now = Date.now(), options: IssueOptions = {}): Promise<string> {
  const { token, statements } = await cardLinkStatements(link, now, options);
  await batch(db, statements);
  return token;
}

/** The statements of issueCardLink, for a caller's own batch (joining: in the member's enrolment). */
export async function cardLinkStatements(link: CardLink, now = Date.now(), options: IssueOptions = {}) {
  const token = base64Url(crypto.getRandomValues(new Uint8Array(32)));
  const statements = [
    query(sql`
      UPDATE member_card_links SET revoked_at = ${now}
      WHERE company_id = ${link.companyId} AND member_id = ${link.memberId} AND revoked_at IS NULL AND ${options.revokeOthers ?? true ? 1 : 0} = 1`),
    query(sql`
      INSERT INTO member_card_links (token_hash, company_id, member_id, created_at)
      VALUES (${await sha256Base64Url(token)}, ${link.companyId}, ${link.memberId}, ${now})`),
  ] as const;
  return { token, statements };
}

/** Whether a token has the shape of the ones we issue (32 random bytes, base64url). */
export const isCardToken = (token: string) => /^[A-Za-z0-9_-]{43}$/.test(token);

/** The member a live token opens, or null (unknown, revoked, malformed). */
export async function resolveCardLink(db: Database, token: string): Promise<CardLink | null> {
  if (!isCardToken(token)) return null;
  const [row] = await all<{ company_id: string; member_id: string }>(
    db,
    query(sql`SELECT company_id, member_id FROM member_card_links WHERE token_hash = ${await sha256Base64Url(token)} AND revoked_at IS NULL`),
  );
  return row ? { companyId: row.company_id, memberId: row.member_id } : null;
}

/** Ends every live link of the member; answers how many were live. */
export async function revokeCardLinks(db: Database, link: CardLink, now = Date.now()): Promise<number> {
  const [, [changed]] = await batch(db, [
    query(sql`
      UPDATE member_card_links SET revoked_at = ${now}
      WHERE company_id = ${link.companyId} AND member_id = ${link.memberId} AND revoked_at IS NULL`),
    query<{ n: number }>(sql`SELECT changes() AS n`),
  ]);
  return changed?.n ?? 0;
}

/** Whether the member has a live link, and since when (the dashboard shows it). */
export async function cardLinkIssuedAt(db: Database, link: CardLink): Promise<number | null> {
  const [row] = await all<{ created_at: number }>(
    db,
    query(sql`
      SELECT created_at FROM member_card_links
      WHERE company_id = ${link.companyId} AND member_id = ${link.memberId} AND revoked_at IS NULL
      ORDER BY created_at DESC LIMIT 1`),
  );
  return row?.created_at ?? null;
}
