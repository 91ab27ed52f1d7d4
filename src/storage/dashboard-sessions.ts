import { sql } from "drizzle-orm";
import { base64Url, sha256Base64Url } from "../lib/crypto";
import type { Database } from "./db";
import { all, batch, query } from "./sql";

// The merchant dashboard's sessions (the only SQL on dashboard_sessions). The cookie carries a
// random id; D1 keeps only its SHA-256, so a copy of the database opens no session. A session ends
// after 12 hours without a request, 7 days after sign-in whatever happens, at sign-out, and for every
// session of a company when it disconnects.

export const SESSION_IDLE_MS = 12 * 3600_000;
export const SESSION_MAX_MS = 7 * 24 * 3600_000;
/** last_seen_at is written at most this often: a write per page view would cost more than it tells. */
const TOUCH_EVERY_MS = 5 * 60_000;

export interface DashboardSession {
  idHash: string;
  companyId: string;
  companyName: string;
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  /** The manager code was entered in this session (large adjustments allowed). */
  manager: boolean;
  /** Wrong manager codes tried in this session. */
  managerTries: number;
}

/** Wrong manager codes a session may try before it can try no more (sign in again for more). */
export const MANAGER_TRIES = 5;

const randomToken = () => base64Url(crypto.getRandomValues(new Uint8Array(32)));

/** Opens a session; the only time its id is known (it goes into the cookie). */
export async function openSession(db: Database, companyId: string, now = Date.now()): Promise<{ id: string; session: DashboardSession }> {
  const id = randomToken();
  const session: DashboardSession = {
    idHash: await sha256Base64Url(id),
    companyId,
    companyName: "",
    csrfToken: randomToken(),
    createdAt: now,
    lastSeenAt: now,
    expiresAt: now + SESSION_MAX_MS,
    manager: false,
    managerTries: 0,
  };
  await batch(db, [
    query(sql`
      INSERT INTO dashboard_sessions (id_hash, company_id, csrf_token, created_at, last_seen_at, expires_at)
      VALUES (${session.idHash}, ${companyId}, ${session.csrfToken}, ${now}, ${now}, ${session.expiresAt})`),
    // Housekeeping on the way: sessions that can no longer be used.
    query(sql`DELETE FROM dashboard_sessions WHERE expires_at <= ${now} OR last_seen_at <= ${now - SESSION_IDLE_MS}`),
  ]);
  return { id, session };
}

/** The live session a cookie's id opens (with its company's name), or null (unknown, idle too long, too old); marks it seen. */
export async function readSession(db: Database, id: string, now = Date.now()): Promise<DashboardSession | null> {
  if (!id || id.length > 100) return null;
  const idHash = await sha256Base64Url(id);
  const [row] = await all<{
    company_id: string;
    company_name: string;
    csrf_token: string;
    created_at: number;
    last_seen_at: number;
    expires_at: number;
    manager: number;
    manager_tries: number;
  }>(
    db,
    query(sql`
      SELECT s.company_id, c.name AS company_name, s.csrf_token, s.created_at, s.last_seen_at, s.expires_at, s.manager, s.manager_tries
      FROM dashboard_sessions s JOIN companies c ON c.id = s.company_id
      WHERE s.id_hash = ${idHash} AND s.expires_at > ${now} AND s.last_seen_at > ${now - SESSION_IDLE_MS}`),
  );
  if (!row) return null;
  const session: DashboardSession = {
    idHash,
    companyId: row.company_id,
    companyName: row.company_name,
    csrfToken: row.csrf_token,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    expiresAt: row.expires_at,
    manager: row.manager === 1,
    managerTries: row.manager_tries,
  };
  if (now - row.last_seen_at >= TOUCH_EVERY_MS) {
    await all(db, query(sql`UPDATE dashboard_sessions SET last_seen_at = ${now} WHERE id_hash = ${idHash}`));
    session.lastSeenAt = now;
  }
  return session;
}

export async function closeSession(db: Database, idHash: string): Promise<void> {
  await all(db, query(sql`DELETE FROM dashboard_sessions WHERE id_hash = ${idHash}`));
}

/** Ends every session of the company (it disconnected). */
export async function closeCompanySessions(db: Database, companyId: string): Promise<void> {
  await all(db, query(sql`DELETE FROM dashboard_sessions WHERE company_id = ${companyId}`));
}

/**
 * Records a try of the manager code in this session: a right one marks the session a manager's, a
 * wrong one counts (at most MANAGER_TRIES). False when the session has no tries left (nothing changes).
 */
export async function recordManagerTry(db: Database, idHash: string, right: boolean): Promise<boolean> {
  const [, rows] = await batch(db, [
    query(sql`
      UPDATE dashboard_sessions SET manager = CASE WHEN ${right ? 1 : 0} = 1 THEN 1 ELSE manager END,
        manager_tries = manager_tries + ${right ? 0 : 1}
      WHERE id_hash = ${idHash} AND manager_tries < ${MANAGER_TRIES}`),
    query<{ changed: number }>(sql`SELECT changes() AS changed`),
  ]);
  return rows[0]?.changed === 1;
}

/** Ends manager mode in this session (the manager stepped away). */
export async function leaveManagerMode(db: Database, idHash: string): Promise<void> {
  await all(db, query(sql`UPDATE dashboard_sessions SET manager = 0 WHERE id_hash = ${idHash}`));
}
