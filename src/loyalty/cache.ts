import type { CacheOutcome, RequestMetrics } from "../lib/metrics";
import { isolateCache } from "./isolate-cache";

// The KV cache. KV is eventually consistent (about 60 s between locations), so what lives here is
// only ever shown, never used to decide a balance, an idempotency key or a permission. Every key
// carries the company id. Writers in D1 call the put/delete functions here after they commit.

const VERSION = "v1";
/**
 * How long a card or catalogue lives in KV (seconds). Writers put what they read from D1 after they
 * commit, in no guaranteed order: two racing writers (an edit and a lookup, two edits) can leave the
 * older copy last. An hour bounds how long such a copy can be shown; warm lookups happen within a
 * visit, so little is lost by it.
 */
const KV_TTL_SECONDS = 3600;
// How long an isolate may reuse what it read from KV without asking KV again.
const CARD_MEMORY_MS = 5_000;
const CATALOGUE_MEMORY_MS = 30_000;

export const cacheKeys = {
  memberCard: (companyId: string, memberId: string) => `${VERSION}:card:${companyId}:${memberId}`,
  rewardCatalogue: (companyId: string) => `${VERSION}:catalogue:${companyId}`,
  memberIcon: (companyId: string, memberId: string) => `${VERSION}:icon:${companyId}:${memberId}`,
  /** Isolate memory only, never written to KV. */
  programme: (companyId: string) => `${VERSION}:programme:${companyId}`,
};

/** What the POS shows of a member (search result and reward lookup). */
export interface MemberCard {
  id: string;
  companyId: string;
  firstName: string;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  cardNumber: string | null;
  iconVersion: number | null;
  points: number;
  status: "active" | "inactive";
  /** Kounta customer ids linked to this member (lets a warm lookup skip the link write). */
  kountaCustomerIds: string[];
  /** What expires next under the company's expiry policy (within 30 days); absent or null: nothing. */
  expiring?: { points: number; on: string } | null;
  /**
   * The company's cards generation this card was read under (cards cached in KV). A lookup takes a
   * card only when it matches the catalogue's; absent reads as 0 (cards written before generations).
   */
  generation?: number;
}

export interface CatalogueReward {
  id: string;
  title: string;
  terms: string | null;
  pointsRequired: number;
  variableQuantity: boolean;
  actionLabel: string | null;
}

/** What the POS shows of a connected company's programme. */
export interface Programme {
  companyId: string;
  pointsLabel: string;
  introText: string | null;
}

/** A company's programme as the POS sees it: its labels and its active rewards in display order. */
export interface RewardCatalogue extends Programme {
  rewards: CatalogueReward[];
  /** The company's cards generation (absent reads as 0): older cached cards are misses. */
  cardsGeneration?: number;
}

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
  constructor(
    private readonly kv: KVNamespace,
    private readonly metrics?: RequestMetrics,
  ) {}

  /** Card and catalogue: from this isolate's memory when fresh, else in one KV round trip. */
  async getLookup(
    companyId: string,
    memberId: string,
  ): Promise<{ card: MemberCard | null; catalogue: RewardCatalogue | null }> {
    const cardKey = cacheKeys.memberCard(companyId, memberId);
    const catalogueKey = cacheKeys.rewardCatalogue(companyId);
    let catalogue = isolateCache.get<RewardCatalogue>(catalogueKey) ?? null;
    let card = current(isolateCache.get<MemberCard>(cardKey) ?? null, catalogue);
    if (card && catalogue) {
      this.metrics?.recordKv(0, "memory");
      return { card, catalogue };
    }
    const keys = [card ? null : cardKey, catalogue ? null : catalogueKey].filter((k): k is string => k !== null);
    const values = await this.timed(
      () => this.kv.get(keys, "json"),
      (m) => (keys.every((k) => m.get(k)) ? "hit" : keys.some((k) => m.get(k)) ? "partial" : "miss"),
    );
    card ??= (values.get(cardKey) as MemberCard | null | undefined) ?? null;
    catalogue ??= (values.get(catalogueKey) as RewardCatalogue | null | undefined) ?? null;
    if (catalogue) isolateCache.set(catalogueKey, catalogue, CATALOGUE_MEMORY_MS);
    card = current(card, catalogue);
    if (card) isolateCache.set(cardKey, card, CARD_MEMORY_MS);
    return { card, catalogue };
  }

  /**
   * A connected company's programme (labels) as this isolate saw it moments ago, from a catalogue or
   * from an earlier search; null when it has not, and D1 must say.
   */
  recentProgramme(companyId: string): Programme | null {
    return (
      isolateCache.get<Programme>(cacheKeys.programme(companyId)) ??
      isolateCache.get<RewardCatalogue>(cacheKeys.rewardCatalogue(companyId)) ??
      null
    );
  }

  rememberProgramme(programme: Programme): void {
    isolateCache.set(cacheKeys.programme(programme.companyId), programme, CATALOGUE_MEMORY_MS);
  }

  async putMemberCard(card: MemberCard): Promise<void> {
    isolateCache.set(cacheKeys.memberCard(card.companyId, card.id), card, CARD_MEMORY_MS);
    await this.kv.put(cacheKeys.memberCard(card.companyId, card.id), JSON.stringify(card), { expirationTtl: KV_TTL_SECONDS });
  }

  async deleteMemberCard(companyId: string, memberId: string): Promise<void> {
    isolateCache.delete(cacheKeys.memberCard(companyId, memberId));
    await this.kv.delete(cacheKeys.memberCard(companyId, memberId));
  }

  async putCatalogue(catalogue: RewardCatalogue): Promise<void> {
    isolateCache.set(cacheKeys.rewardCatalogue(catalogue.companyId), catalogue, CATALOGUE_MEMORY_MS);
    this.rememberProgramme({ companyId: catalogue.companyId, pointsLabel: catalogue.pointsLabel, introText: catalogue.introText });
    await this.kv.put(cacheKeys.rewardCatalogue(catalogue.companyId), JSON.stringify(catalogue), {
      expirationTtl: KV_TTL_SECONDS,
    });
  }

  async deleteCatalogue(companyId: string): Promise<void> {
    isolateCache.delete(cacheKeys.rewardCatalogue(companyId));
    isolateCache.delete(cacheKeys.programme(companyId));
    await this.kv.delete(cacheKeys.rewardCatalogue(companyId));
  }

  async getIcon(companyId: string, memberId: string): Promise<MemberIcon | null> {
    const result = await this.timed(
      () => this.kv.getWithMetadata<{ contentType?: string; version?: number }>(cacheKeys.memberIcon(companyId, memberId), "arrayBuffer"),
      (r) => (r.value ? "hit" : "miss"),
    );
    if (!result.value) return null;
    const { contentType, version } = result.metadata ?? {};
    return { body: result.value, contentType: contentType ?? "image/png", ...(typeof version === "number" ? { version } : {}) };
  }

  async deleteIcon(companyId: string, memberId: string): Promise<void> {
    await this.kv.delete(cacheKeys.memberIcon(companyId, memberId));
  }

  async putIcon(companyId: string, memberId: string, icon: MemberIcon): Promise<void> {
    await this.kv.put(cacheKeys.memberIcon(companyId, memberId), icon.body, {
      metadata: { contentType: icon.contentType, ...(icon.version !== undefined ? { version: icon.version } : {}) },
    });
  }

  private async timed<T>(read: () => Promise<T>, outcome: (value: T) => CacheOutcome): Promise<T> {
    const started = performance.now();
    const value = await read();
    this.metrics?.recordKv(performance.now() - started, outcome(value));
    return value;
  }
}
