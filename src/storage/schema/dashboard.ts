import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { companies } from "./companies";

// The merchant dashboard's sign-in sessions (src/storage/dashboard-sessions.ts owns the table).
export const dashboardSessions = sqliteTable(
  "dashboard_sessions",
  {
    // The SHA-256 (base64url) of the cookie's random session id: the id itself is never stored.
    idHash: text("id_hash").primaryKey(),
    companyId: text("company_id")
      .notNull()
      .references(() => companies.id),
    // The per-session token every form carries (CSRF); random, shown only in this session's pages.
    csrfToken: text("csrf_token").notNull(),
    // The manager code was entered in this session: large adjustments are allowed (a manager's session).
    manager: integer("manager", { mode: "boolean" }).notNull().default(false),
    // Wrong manager codes tried in this session (five, and the session can try no more).
    managerTries: integer("manager_tries").notNull().default(0),
    createdAt: integer("created_at").notNull(),
    lastSeenAt: integer("last_seen_at").notNull(),
    // created_at + 7 days: a session never outlives it, however active.
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("dashboard_sessions_company_idx").on(t.companyId)],
);
