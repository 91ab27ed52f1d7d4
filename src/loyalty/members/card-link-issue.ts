import type { Database } from "../../storage/db";
import type { Member } from "../../storage/schema";
import { syncMemberCard, type LoyaltyCache } from "../cache";
import { issueCardLink, revokeCardLinks, type IssueOptions } from "./card-links";
import { newCardNumber } from "./card-numbers";
import { getMember, MemberError, updateMember } from "./member-admin";

// Giving a member a link to their own card page, from the dashboard or the admin API. A link is
// shown only when it is issued (only its hash is kept), so showing one issues a new one and the
// older link stops working.
//
// A member the merchant added without a card number gets one here (newCardNumber: 13 digits with a
// check digit, unique in the company), so that the card page always has a barcode for the POS to
// scan: issuing the link is a deliberate change (a POST); opening the card page never writes.

const CARD_NUMBER_ATTEMPTS = 5;

export interface IssuedCardLink {
  token: string;
  createdAt: number;
  member: Member;
}

/** A new link for a member of the company (null: the company has no such member). */
export async function issueMemberCardLink(
  db: Database,
  cache: LoyaltyCache,
  link: { companyId: string; memberId: string },
  now = Date.now(),
  options: IssueOptions = {},
): Promise<IssuedCardLink | null> {
  let member = await getMember(db, link.companyId, link.memberId);
  if (!member) return null;
  if (!member.cardNumber) {
    member = await assignCardNumber(db, link, now);
    if (!member) return null;
    // The POS shows the card number: its cached card follows.
    await syncMemberCard(db, cache, link.companyId, member.id, member.status === "active");
  }
  const token = await issueCardLink(db, link, now, options);
  return { token, createdAt: now, member };
}

/** Ends the member's live links (null: the company has no such member); answers how many. */
export async function revokeMemberCardLinks(db: Database, link: { companyId: string; memberId: string }, now = Date.now()): Promise<number | null> {
  if (!(await getMember(db, link.companyId, link.memberId))) return null;
  return revokeCardLinks(db, link, now);
}

/** A fresh card number, tried again on the (unlikely: 10^11 numbers) clash with another member's. */
async function assignCardNumber(db: Database, link: { companyId: string; memberId: string }, now: number): Promise<Member | null> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await updateMember(db, link.companyId, link.memberId, { cardNumber: newCardNumber() }, now);
    } catch (err) {
      if (!(err instanceof MemberError && err.field === "card_number") || attempt >= CARD_NUMBER_ATTEMPTS) throw err;
    }
  }
}
