import { and, eq } from "drizzle-orm";
import type { Database } from "../../storage/db";
import type { LoyaltyCache } from "../cache";
import { members, type Member } from "../../storage/schema";

// Member icons: PNG or JPEG up to 1 MB, kept in KV under the member, named in icon_url by a version.

export const MAX_ICON_BYTES = 1024 * 1024;
export type IconType = "image/png" | "image/jpeg";

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_SIGNATURE = [0xff, 0xd8, 0xff];

/** Where the POS and the admin API fetch a member's icon (src/icons/routes.ts); null without one. */
export function iconUrl(origin: string, companyId: string, memberId: string, iconVersion: number | null): string | null {
  if (iconVersion === null) return null;
  return `${origin}/icons/${encodeURIComponent(companyId)}/${encodeURIComponent(memberId)}?v=${iconVersion}`;
}

/** The declared type when the bytes really are one (by their signature); null otherwise. */
export function iconType(declared: string | undefined, bytes: Uint8Array): IconType | null {
  const type = declared?.split(";")[0]?.trim().toLowerCase();
  const startsWith = (signature: number[]) => signature.every((b, i) => bytes[i] === b);
  if (type === "image/png" && startsWith(PNG_SIGNATURE)) return "image/png";
  if ((type === "image/jpeg" || type === "image/jpg") && startsWith(JPEG_SIGNATURE)) return "image/jpeg";
  return null;
}

/**
 * Stores the icon, then points the member at it. The version is never reused, even after the icon
 * was removed, because POS devices keep an icon URL's image forever (immutable caching); it is
 * stored with the bytes, so the icon route can tell a URL's own image from a newer or older one.
 */
export async function setMemberIcon(
  db: Database,
  cache: LoyaltyCache,
  input: { companyId: string; memberId: string; body: ArrayBuffer; contentType: IconType; now?: number },
): Promise<Member | null> {
  const { companyId, memberId } = input;
  const where = and(eq(members.companyId, companyId), eq(members.id, memberId));
  const [exists] = await db.select({ id: members.id, iconVersion: members.iconVersion }).from(members).where(where);
  if (!exists) return null;
  const now = input.now ?? Date.now();
  const version = Math.max((exists.iconVersion ?? 0) + 1, now);
  await cache.putIcon(companyId, memberId, { body: input.body, contentType: input.contentType, version });
  const [row] = await db.update(members).set({ iconVersion: version, updatedAt: now }).where(where).returning();
  return row ?? null;
}

export async function removeMemberIcon(
  db: Database,
  cache: LoyaltyCache,
  input: { companyId: string; memberId: string; now?: number },
): Promise<Member | null> {
  const { companyId, memberId } = input;
  const [row] = await db
    .update(members)
    .set({ iconVersion: null, updatedAt: input.now ?? Date.now() })
    .where(and(eq(members.companyId, companyId), eq(members.id, memberId)))
    .returning();
  if (!row) return null;
  await cache.deleteIcon(companyId, memberId);
  return row;
}
