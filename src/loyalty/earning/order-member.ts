import { sql } from "drizzle-orm";
import type { KountaClient } from "../../kounta-api/client";
import { KountaApiError } from "../../kounta-api/errors";
import type { KountaCustomer, KountaOrder } from "../../kounta-api/types";
import { sha256Base64Url } from "../../lib/crypto";
import type { Logger } from "../../lib/logger";
import type { Database } from "../../storage/db";
import { all, query } from "../../storage/sql";
import { enrolMember } from "../members/enrol";

// Which member a completed order earns for: its Kounta customer's link, reference or (with
// auto-enrol) email, or a new member.

export type MemberMatch = { outcome: "found"; memberId: string; enrolled: boolean } | { outcome: "not_member" | "inactive_member" };

/**
 * The member a Kounta customer is: the customer link, else the customer's reference_id (then linked),
 * else, with auto-enrol and an email or phone, a member with that email (linked) or a new member.
 */
export async function findOrEnrolMember(
  deps: { db: Database },
  kounta: () => KountaClient,
  input: {
    companyId: string;
    customerId: string;
    order: KountaOrder;
    company: { auto_enrol: number; phone_country_code: string | null };
    now: number;
    log: Logger;
  },
): Promise<MemberMatch> {
  const { db } = deps;
  const { companyId, customerId, order, company, now, log } = input;
  const linked = await all(
    db,
    query<{ id: string; status: string }>(sql`
      SELECT m.id, m.status FROM customer_links l JOIN members m ON m.company_id = l.company_id AND m.id = l.member_id
      WHERE l.company_id = ${companyId} AND l.kounta_customer_id = ${customerId}`),
  );
  if (linked[0]) return linked[0].status === "active" ? { outcome: "found", memberId: linked[0].id, enrolled: false } : { outcome: "inactive_member" };

  // The order may embed the customer's record (it does in the stand-in); otherwise read it.
  const embedded = order.customer && order.customer.id === customerId ? order.customer : null;
  const customer: KountaCustomer | null = await (embedded ? Promise.resolve(embedded) : kounta().getCustomer(customerId)).catch((err) => {
    if (err instanceof KountaApiError && err.failure === "not_found") return null;
    throw err;
  });
  if (!customer) return { outcome: "not_member" };

  const reference = customer.reference_id?.trim();
  if (reference) {
    const [byReference] = await all(
      db,
      query<{ id: string; status: string }>(sql`SELECT id, status FROM members WHERE company_id = ${companyId} AND id = ${reference}`),
    );
    if (byReference) {
      if (byReference.status !== "active") return { outcome: "inactive_member" };
      await link(db, companyId, customerId, byReference.id, now);
      return { outcome: "found", memberId: byReference.id, enrolled: false };
    }
  }

  const email = customer.email?.trim().toLowerCase() || null;
  const phone = customer.phone?.trim() || null;
  if (!company.auto_enrol || (!email && !phone)) return { outcome: "not_member" };

  if (email) {
    const [byEmail] = await all(
      db,
      query<{ id: string; status: string }>(sql`SELECT id, status FROM members WHERE company_id = ${companyId} AND email = ${email}`),
    );
    if (byEmail) {
      if (byEmail.status !== "active") return { outcome: "inactive_member" };
      await link(db, companyId, customerId, byEmail.id, now);
      return { outcome: "found", memberId: byEmail.id, enrolled: false };
    }
  }

  // The new member's id follows from the company and the customer, so two deliveries racing to
  // enrol the same customer make one member (the second insert fails and finds the first).
  const memberId = await autoEnrolId(companyId, customerId);
  try {
    await enrolMember(
      db,
      {
        companyId,
        firstName: customer.first_name?.trim() || "Customer",
        lastName: customer.last_name ?? null,
        email,
        phone,
        actor: "auto_enrol",
      },
      { countryCode: company.phone_country_code, id: memberId, now },
    );
    log.info("member auto-enrolled", { member_id: memberId });
  } catch (err) {
    const [existing] = await all(
      db,
      query<{ id: string }>(sql`SELECT id FROM members WHERE company_id = ${companyId} AND (id = ${memberId} OR (${email} IS NOT NULL AND email = ${email}))`),
    );
    if (!existing) throw err;
    await link(db, companyId, customerId, existing.id, now);
    return { outcome: "found", memberId: existing.id, enrolled: false };
  }
  await link(db, companyId, customerId, memberId, now);
  return { outcome: "found", memberId, enrolled: true };
}

async function link(db: Database, companyId: string, customerId: string, memberId: string, now: number): Promise<void> {
  await all(
    db,
    query(sql`
      INSERT INTO customer_links (company_id, kounta_customer_id, member_id, linked_at)
      VALUES (${companyId}, ${customerId}, ${memberId}, ${now})
      ON CONFLICT (company_id, kounta_customer_id) DO NOTHING`),
  );
}

export async function autoEnrolId(companyId: string, customerId: string): Promise<string> {
  return `mem_${(await sha256Base64Url(`auto-enrol:${companyId}:${customerId}`)).slice(0, 20)}`;
}

