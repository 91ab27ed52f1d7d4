import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { syncMemberCard } from "../../loyalty/cache";
import { publicOrigin } from "../../kounta/origin";
import { iconUrl } from "../../loyalty/members/member-icons";
import type { Member as MemberRow } from "../../storage/schema";
import type { AdminEnv } from "../app";
import { AdminError } from "../errors";

// What the member routes (members.ts, member-import.ts, member-icon.ts) share: the Member shape (and
// its mapping from the row) and the steps after a change.

export const TAGS = ["Members"];

export const Member = z
  .object({
    id: z.string().openapi({ example: "mem_5k2x9q0c1vd8hm3t" }),
    first_name: z.string().openapi({ example: "John" }),
    last_name: z.string().nullable().openapi({ example: "Smith" }),
    email: z.string().nullable().openapi({ example: "john.smith@example.com" }),
    phone: z.string().nullable().openapi({ example: "0412 345 678" }),
    card_number: z.string().nullable().openapi({ example: "100200300" }),
    points: z.number().int().openapi({ description: "Changed only through points adjustments and sales" }),
    status: z.enum(["active", "inactive"]),
    icon_url: z.string().nullable().openapi({ example: "https://loyalty.example.com/icons/456/mem_5k2x9q0c1vd8hm3t?v=1" }),
    email_consent: z.boolean().openapi({ description: "The member agreed to be emailed about their points and rewards" }),
    email_consent_at: z.string().nullable().openapi({ format: "date-time", description: "When email_consent last changed (null: it never has)" }),
    created_at: z.string().openapi({ format: "date-time" }),
    updated_at: z.string().openapi({ format: "date-time" }),
  })
  .openapi("Member");

export function memberJson(row: MemberRow, origin: string): z.output<typeof Member> {
  return {
    id: row.id,
    first_name: row.firstName,
    last_name: row.lastName,
    email: row.email,
    phone: row.phone,
    card_number: row.cardNumber,
    points: row.points,
    status: row.status,
    icon_url: iconUrl(origin, row.companyId, row.id, row.iconVersion),
    email_consent: row.emailConsent,
    email_consent_at: row.emailConsentAt === null ? null : new Date(row.emailConsentAt).toISOString(),
    created_at: new Date(row.createdAt).toISOString(),
    updated_at: new Date(row.updatedAt).toISOString(),
  };
}

export const memberResponse = (description: string) => ({ description, content: { "application/json": { schema: Member } } });

/** Our public origin, for icon URLs: the one the POS is given. */
export function origin(c: Context<AdminEnv>): string {
  return publicOrigin(c);
}

const NOT_FOUND = "This company has no member with that id";

export function found<T>(value: T | null): T {
  if (value === null) throw new AdminError("not_found", NOT_FOUND);
  return value;
}

/** After a change the POS would show: a fresh card for an active member, none for an inactive one. */
export async function syncCard(c: Context<AdminEnv>, memberId: string, active: boolean) {
  const { db, cache } = c.get("services");
  await syncMemberCard(db, cache, c.get("companyId"), memberId, active);
}
