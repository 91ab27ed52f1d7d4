import { eq, sql } from "drizzle-orm";
import { newId } from "../../src/lib/crypto";
import { issueCardLink } from "../../src/loyalty/members/card-links";
import { checkDigit } from "../../src/loyalty/members/card-numbers";
import { companies, members, pointsLedger, type LedgerReason } from "../../src/storage/schema";
import { call, db, ORIGIN, seedCompany } from "../harness";

// What the card page tests share: a card number of ours, ledger rows written as the domain writes
// them (the balance kept equal to their sum), a link, and the page as a phone fetches it.

/** A valid card number of ours from 11 digits: "2" + the digits + the EAN-13 check digit. */
export function ourCardNumber(eleven: string): string {
  const body = `2${eleven}`;
  return `${body}${checkDigit(body)}`;
}

/** The same number with a wrong check digit (a mistyped or misread last digit). */
export function withWrongCheckDigit(card: string): string {
  return `${card.slice(0, 12)}${(Number(card[12]) + 1) % 10}`;
}

export interface Row {
  delta: number;
  reason: LedgerReason;
  key: string;
  at: number;
  note?: string | null;
  siteId?: string | null;
  rewardId?: string | null;
  orderId?: string | null;
}

/** Ledger rows for a member, and the balance moved by their sum (the invariant of the ledger). */
export async function addLedgerRows(companyId: string, memberId: string, rows: Row[]): Promise<void> {
  for (const row of rows) {
    await db.insert(pointsLedger).values({
      id: newId("led"),
      companyId,
      memberId,
      delta: row.delta,
      reason: row.reason,
      siteId: row.siteId ?? null,
      orderId: row.orderId ?? null,
      rewardId: row.rewardId ?? null,
      note: row.note ?? null,
      idempotencyKey: row.key,
      createdAt: row.at,
    });
    await db.update(members).set({ points: sql`${members.points} + ${row.delta}` }).where(eq(members.id, memberId));
  }
}

export const linkFor = (companyId: string, memberId: string) => issueCardLink(db, { companyId, memberId });

export async function cardPage(token: string): Promise<{ status: number; html: string; res: Response }> {
  const res = await call(`${ORIGIN}/card/${token}`);
  return { status: res.status, html: await res.text(), res };
}

/** The text of the element marked data-card="name", tags removed, spaces collapsed. */
export function cardText(html: string, name: string): string | null {
  const match = new RegExp(`<(\\w+)[^>]*data-card="${name}"[^>]*>([\\s\\S]*?)</\\1>`).exec(html);
  return match ? plain(match[2]!) : null;
}

/** The list items of the list marked data-card="name", as text. */
export function cardItems(html: string, name: string): string[] {
  const match = new RegExp(`<(ul|ol)[^>]*data-card="${name}"[^>]*>([\\s\\S]*?)</\\1>`).exec(html);
  if (!match) return [];
  return [...match[2]!.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => plain(m[1]!));
}

function plain(fragment: string): string {
  return fragment
    .replace(/<[^>]+>/g, "")
    .replace(/&amp;/g, "&")
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/\s+/g, " ")
    .trim();
}

/** A company with the demo's kind of rewards (one inactive), and the seed's site "Main street". */
export async function rewardCompany(options: { expiryMonths?: number; pointsLabel?: string } = {}) {
  const company = await seedCompany({
    pointsLabel: options.pointsLabel ?? "Beans",
    rewards: [
      { id: "coffee", title: "Free coffee", pointsRequired: 100 },
      { id: "cake", title: "Slice of cake", pointsRequired: 300 },
      { id: "lunch", title: "Lunch for two", pointsRequired: 1000 },
      { id: "tote", title: "Tote bag", pointsRequired: 2000 },
      { id: "mug", title: "Mug", pointsRequired: 5000 },
      { id: "gone", title: "Retired reward", pointsRequired: 50, active: false },
    ],
  });
  if (options.expiryMonths) await db.update(companies).set({ expiryMonths: options.expiryMonths }).where(eq(companies.id, company.id));
  return company;
}
