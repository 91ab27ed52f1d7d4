import { sql } from "drizzle-orm";
import type { RequestMetrics } from "../lib/metrics";
import { KvCache } from "../storage/cache";
import type { Database } from "../storage/db";
import { batch, query } from "../storage/sql";
import { cacheKeys } from "./cache-keys";
import { loadMemberCard, type MemberCard } from "./members/card";
import type { Programme } from "./programme";
import { catalogueFromRows, loadCatalogue, programmeStatements, type RewardCatalogue } from "./rewards/catalogue";

// What the POS is shown, cached in KV (src/storage/cache.ts) under ./cache-keys.ts: member cards,
// reward catalogues, programmes and member icons. Writers in D1 write through here (the refresh
// functions at the end) after they commit.

// How long an isolate may reuse what it read from KV without asking KV again.
const CARD_MEMORY_MS = 5_000;
const CATALOGUE_MEMORY_MS = 30_000;
/** How long KV keeps what was read from a D1 replica (KV's least). */
export const REPLICA_TTL_SECONDS = 60;

export interface MemberIcon {
  body: ArrayBuffer;
  contentType: string;
  /** The icon version these bytes are (icon_url's ?v=), when it was recorded with them. */
  version?: number;
}

/** A card read before the company's cards were all invalidated (a large import) is a miss. */
function current(card: MemberCard | null, catalogue: RewardCatalogue | null): MemberCard | null {
  if (card && catalogue && (card.generation ?? 0) !== (catalogue.cardsGeneration ?? 0)) return null;
  return card;
}

export class LoyaltyCache {
  private readonly store: KvCache;

  constructor(kv: KVNamespace, metrics?: RequestMetrics) {
    this.store = new KvCache(kv, metrics);
  }

  /** Card and catalogue: from this isolate's memory when fresh, else in one KV round trip. */
  async getLookup(
    companyId: string,
    memberId: string,
  ): Promise<{ card: MemberCard | null; catalogue: RewardCatalogue | null }> {
    const cardKey = cacheKeys.memberCard(companyId, memberId);
    const catalogueKey = cacheKeys.rewardCatalogue(companyId);
    let catalogue = this.store.inMemory<RewardCatalogue>(catalogueKey);
    let card = current(this.store.inMemory<MemberCard>(cardKey), catalogue);
    if (card && catalogue) {
      this.store.servedFromMemory();
      return { card, catalogue };
    }
    const keys = [card ? null : cardKey, catalogue ? null : catalogueKey].filter((k): k is string => k !== null);
    const values = await this.store.getJson(keys);
    card ??= (values.get(cardKey) as MemberCard | undefined) ?? null;
    catalogue ??= (values.get(catalogueKey) as RewardCatalogue | undefined) ?? null;
    if (catalogue) this.store.keepInMemory(catalogueKey, catalogue, CATALOGUE_MEMORY_MS);
    card = current(card, catalogue);
    if (card) this.store.keepInMemory(cardKey, card, CARD_MEMORY_MS);
    return { card, catalogue };
  }

  /**
   * A connected company's programme (labels) as this isolate saw it moments ago, from a catalogue or
   * from an earlier search; null when it has not, and D1 must say.
   */
  recentProgramme(companyId: string): Programme | null {
    return (
      this.store.inMemory<Programme>(cacheKeys.programme(companyId)) ??
      this.store.inMemory<RewardCatalogue>(cacheKeys.rewardCatalogue(companyId))
    );
  }

  rememberProgramme(programme: Programme): void {
    this.store.keepInMemory(cacheKeys.programme(programme.companyId), programme, CATALOGUE_MEMORY_MS);
  }

  /**
   * `fromReplica`: read from a copy of D1 that may lag the primary (docs/read-replicas.md). Such a card
   * (or catalogue) is kept a minute only, so a copy that had not yet seen a change (a sale, a
   * disconnect, a customer's new link) cannot keep answering for an hour after it.
   */
  async putMemberCard(card: MemberCard, options: { fromReplica?: boolean } = {}): Promise<void> {
    await this.store.putJson(cacheKeys.memberCard(card.companyId, card.id), card, CARD_MEMORY_MS, options.fromReplica ? REPLICA_TTL_SECONDS : undefined);
  }

  async deleteMemberCard(companyId: string, memberId: string): Promise<void> {
    await this.store.delete(cacheKeys.memberCard(companyId, memberId));
  }

  async putCatalogue(catalogue: RewardCatalogue, options: { fromReplica?: boolean } = {}): Promise<void> {
    this.rememberProgramme({ companyId: catalogue.companyId, pointsLabel: catalogue.pointsLabel, introText: catalogue.introText });
    await this.store.putJson(
      cacheKeys.rewardCatalogue(catalogue.companyId),
      catalogue,
      CATALOGUE_MEMORY_MS,
      options.fromReplica ? REPLICA_TTL_SECONDS : undefined,
    );
  }

  async deleteCatalogue(companyId: string): Promise<void> {
    this.store.forgetInMemory(cacheKeys.programme(companyId));
    await this.store.delete(cacheKeys.rewardCatalogue(companyId));
  }

  async getIcon(companyId: string, memberId: string): Promise<MemberIcon | null> {
    const found = await this.store.getBytes<{ contentType?: string; version?: number }>(cacheKeys.memberIcon(companyId, memberId));
    if (!found) return null;
    const { contentType, version } = found.metadata ?? {};
    return { body: found.body, contentType: contentType ?? "image/png", ...(typeof version === "number" ? { version } : {}) };
  }

  async deleteIcon(companyId: string, memberId: string): Promise<void> {
    await this.store.delete(cacheKeys.memberIcon(companyId, memberId));
  }

  async putIcon(companyId: string, memberId: string, icon: MemberIcon): Promise<void> {
    await this.store.putBytes(cacheKeys.memberIcon(companyId, memberId), icon.body, {
      contentType: icon.contentType,
      ...(icon.version !== undefined ? { version: icon.version } : {}),
    });
  }
}

// ---- Write-through, after a change in D1 ------------------------------------------------------

/** After a change to a member in D1, put the fresh card in KV (or drop it). */
export async function refreshMemberCard(
  db: Database,
  cache: LoyaltyCache,
  companyId: string,
  memberId: string,
): Promise<MemberCard | null> {
  const card = await loadMemberCard(db, companyId, memberId);
  if (card) await cache.putMemberCard(card);
  else await cache.deleteMemberCard(companyId, memberId);
  return card;
}

/**
 * After a change to a member the POS would show (details, status, icon): a fresh card for an active
 * member, none for an inactive one. The admin API and the dashboard both call this.
 */
export async function syncMemberCard(db: Database, cache: LoyaltyCache, companyId: string, memberId: string, active: boolean): Promise<void> {
  if (active) await refreshMemberCard(db, cache, companyId, memberId);
  else await cache.deleteMemberCard(companyId, memberId);
}

/** After a change to a company's settings, rewards or connection. */
export async function refreshCatalogue(db: Database, cache: LoyaltyCache, companyId: string): Promise<void> {
  const catalogue = await loadCatalogue(db, companyId);
  if (catalogue) await cache.putCatalogue(catalogue);
  else await cache.deleteCatalogue(companyId);
}

/**
 * Makes every cached member card of the company a miss at once (after a change to more members than
 * one request can refresh card by card): the company's cards generation goes up and the catalogue,
 * which carries it, is written through in the same D1 round trip.
 */
export async function invalidateMemberCards(db: Database, cache: LoyaltyCache, companyId: string): Promise<void> {
  const { company, rewards } = programmeStatements(companyId);
  const bump = query(sql`UPDATE companies SET cards_generation = cards_generation + 1 WHERE id = ${companyId}`);
  const [, companyRows, rewardRows] = await batch(db, [bump, company, rewards]);
  const catalogue = catalogueFromRows(companyRows, rewardRows);
  if (catalogue) await cache.putCatalogue(catalogue);
  else await cache.deleteCatalogue(companyId);
}
