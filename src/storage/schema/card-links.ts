import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { companies } from "./companies";
import { members } from "./members";

// A member's own card page, /card/<token> (src/loyalty/members/card-links.ts owns the table): the
// token is long and random, only its SHA-256 is kept, and it never is the member id. Revoking it ends
// the link; a member may be given a new one.
export const memberCardLinks = sqliteTable(
  "member_card_links",
  {
    tokenHash: text("token_hash").primaryKey(),
    companyId: text("company_id")
      .notNull()
      .references(() => companies.id),
    memberId: text("member_id")
      .notNull()
      .references(() => members.id),
    createdAt: integer("created_at").notNull(),
    revokedAt: integer("revoked_at"),
  },
  (t) => [index("member_card_links_member_idx").on(t.companyId, t.memberId)],
);
