import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { enrolMember, type NewMember } from "../src/loyalty/members/enrol";
import { openDatabase } from "../src/storage/db";
import { companies, kountaConnections, rewards, sites } from "../src/storage/schema";
import { kounta } from "./kounta-harness";

export const ADDON_KEY = "test-addon-key-current";
export const PREVIOUS_ADDON_KEY = "test-addon-key-previous";
export const ORIGIN = "https://loyalty.test";

export const db = openDatabase(env.DB);

// Unique across the files that share a worker's storage (workers-shared): a random block of a
// thousand ids out of a million.
let nextCompany = 1000 + Math.floor(Math.random() * 1_000_000) * 1000;

type RewardInput = Partial<typeof rewards.$inferInsert> & { id: string; title: string; pointsRequired: number };

/** A fresh, connected company of its own for one test: no test depends on another's data. */
export async function seedCompany(options: {
  connected?: boolean;
  pointsLabel?: string;
  introText?: string | null;
  phoneCountryCode?: string | null;
  rewards?: RewardInput[];
  /** Register the company with the Kounta stand-in and store its tokens (default true). */
  kountaTokens?: { accessToken?: string; refreshToken?: string; accessTokenExpiresAt?: number | null } | false;
} = {}) {
  const id = String(nextCompany++);
  const siteId = `${id}1`;
  const now = Date.now();
  await db.insert(companies).values({
    id,
    name: `Test Café ${id}`,
    pointsLabel: options.pointsLabel ?? "Points",
    introText: options.introText ?? null,
    phoneCountryCode: options.phoneCountryCode === undefined ? "61" : options.phoneCountryCode,
    rewardProductId: "9001",
    loyaltyPaymentMethodId: "5001",
    pointValueCents: 1,
    createdAt: now,
    updatedAt: now,
  });
  await db.insert(sites).values({ companyId: id, id: siteId, name: "Main street", createdAt: now });
  const tokens = options.kountaTokens === false ? null : await kounta.addCompany(id, siteId, options.kountaTokens ?? {});
  if (options.connected ?? true) {
    await db.insert(kountaConnections).values({
      companyId: id,
      status: "connected",
      accessToken: tokens?.accessToken ?? null,
      refreshToken: tokens?.refreshToken ?? null,
      accessTokenExpiresAt: tokens?.accessTokenExpiresAt ?? null,
      connectedAt: now,
      updatedAt: now,
    });
  }
  for (const [i, r] of (options.rewards ?? []).entries()) {
    await db.insert(rewards).values({ kind: "free_product", sortOrder: i, createdAt: now, updatedAt: now, companyId: id, ...r, id: `${r.id}_${id}` });
  }
  const countryCode = options.phoneCountryCode === undefined ? "61" : options.phoneCountryCode;
  return {
    id,
    siteId,
    rewardId: (base: string) => `${base}_${id}`,
    addMember: (member: Omit<NewMember, "companyId" | "actor">) =>
      enrolMember(db, { ...member, companyId: id, actor: "test" }, { countryCode }),
  };
}

export function kountaUrl(path: string, params: Record<string, string> = {}, key = ADDON_KEY): string {
  const qs = new URLSearchParams(params).toString();
  return `${ORIGIN}/kounta/${key}/${path}${qs ? `?${qs}` : ""}`;
}

export function call(url: string, init?: RequestInit): Promise<Response> {
  return exports.default.fetch(new Request(url, init));
}

export async function getJson(url: string, init?: RequestInit): Promise<{ status: number; body: any; res: Response }> {
  const res = await call(url, init);
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: res.status, body, res };
}

/** The invariant: a member's balance equals the sum of their ledger rows. */
export async function expectBalanceMatchesLedger(companyId: string): Promise<void> {
  const rows = await db.all<{ id: string; points: number; ledger: number }>(sql`
    SELECT m.id, m.points, coalesce((SELECT sum(delta) FROM points_ledger l WHERE l.company_id = m.company_id AND l.member_id = m.id), 0) AS ledger
    FROM members m WHERE m.company_id = ${companyId}`);
  const off = rows.filter((r) => r.points !== r.ledger);
  if (off.length > 0) throw new Error(`balance differs from ledger for ${off.map((r) => r.id).join(", ")}`);
}
