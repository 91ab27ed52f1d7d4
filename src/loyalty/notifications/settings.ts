import { sql, type SQL } from "drizzle-orm";
import type { Database } from "../../storage/db";
import { all, query } from "../../storage/sql";
import type { NotificationKind } from "../../storage/schema";

// Each company's choices of what its members are sent (notification_settings). A company that never
// chose has no row: every kind is on and messages come from the company's name.

export interface NotificationSettings {
  /** The name messages come from, as the company set it (null: the company's name). */
  senderName: string | null;
  /** The name they come from in the end. */
  effectiveSenderName: string;
  kinds: Record<NotificationKind, boolean>;
  updatedAt: number | null;
}

export type NotificationSettingsPatch = Partial<{ senderName: string | null } & Record<NotificationKind, boolean>>;

/** The column of each kind's switch. */
export const KIND_COLUMNS: Record<NotificationKind, string> = {
  welcome: "welcome",
  reward_ready: "reward_ready",
  points_expiring: "points_expiring",
  card_link: "card_link",
};

/** Whether the company of `companyId` (an SQL expression) sends this kind: its switch, on when never set. */
export function kindEnabledSql(kind: NotificationKind, companyId: SQL): SQL {
  return sql`coalesce((SELECT s.${sql.raw(KIND_COLUMNS[kind])} FROM notification_settings s WHERE s.company_id = ${companyId}), 1) = 1`;
}

interface SettingsRow {
  name: string;
  sender_name: string | null;
  welcome: number | null;
  reward_ready: number | null;
  points_expiring: number | null;
  card_link: number | null;
  updated_at: number | null;
}

const on = (value: number | null) => value === null || value === 1;

function fromRow(row: SettingsRow): NotificationSettings {
  return {
    senderName: row.sender_name,
    effectiveSenderName: row.sender_name ?? row.name,
    kinds: { welcome: on(row.welcome), reward_ready: on(row.reward_ready), points_expiring: on(row.points_expiring), card_link: on(row.card_link) },
    updatedAt: row.updated_at,
  };
}

const selectSettings = (companyId: string) =>
  query<SettingsRow>(sql`
    SELECT c.name, s.sender_name, s.welcome, s.reward_ready, s.points_expiring, s.card_link, s.updated_at
    FROM companies c LEFT JOIN notification_settings s ON s.company_id = c.id
    WHERE c.id = ${companyId}`);

/** The company's settings (null: no such company). */
export async function getNotificationSettings(db: Database, companyId: string): Promise<NotificationSettings | null> {
  const [row] = await all(db, selectSettings(companyId));
  return row ? fromRow(row) : null;
}

/** Changes what is given and keeps the rest (null: no such company). */
export async function updateNotificationSettings(
  db: Database,
  companyId: string,
  patch: NotificationSettingsPatch,
  now = Date.now(),
): Promise<NotificationSettings | null> {
  const current = await getNotificationSettings(db, companyId);
  if (!current) return null;
  const kinds = { ...current.kinds };
  for (const kind of Object.keys(KIND_COLUMNS) as NotificationKind[]) if (patch[kind] !== undefined) kinds[kind] = patch[kind]!;
  const senderName = patch.senderName !== undefined ? patch.senderName : current.senderName;
  const flag = (value: boolean) => (value ? 1 : 0);
  await all(
    db,
    query(sql`
      INSERT INTO notification_settings (company_id, sender_name, welcome, reward_ready, points_expiring, card_link, updated_at)
      VALUES (${companyId}, ${senderName}, ${flag(kinds.welcome)}, ${flag(kinds.reward_ready)}, ${flag(kinds.points_expiring)}, ${flag(kinds.card_link)}, ${now})
      ON CONFLICT (company_id) DO UPDATE SET sender_name = excluded.sender_name, welcome = excluded.welcome,
        reward_ready = excluded.reward_ready, points_expiring = excluded.points_expiring, card_link = excluded.card_link,
        updated_at = excluded.updated_at`),
  );
  return getNotificationSettings(db, companyId);
}
