import type { RequestMetrics } from "../lib/metrics";

// The KV cache. KV is eventually consistent (about 60 s between locations), so what lives here is
// only ever shown, never used to decide a balance, an idempotency key or a permission. Every key
// carries the company id. Writers in D1 call the put/delete functions here after they commit.

const VERSION = "v1";
const DAY = 24 * 3600;

export const cacheKeys = {
  memberCard: (companyId: string, memberId: string) => `${VERSION}:card:${companyId}:${memberId}`,
  rewardCatalogue: (companyId: string) => `${VERSION}:catalogue:${companyId}`,
  memberIcon: (companyId: string, memberId: string) => `${VERSION}:icon:${companyId}:${memberId}`,
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
}

export interface CatalogueReward {
  id: string;
  title: string;
  terms: string | null;
  pointsRequired: number;
  variableQuantity: boolean;
  actionLabel: string | null;
}

/** A company's programme as the POS sees it: its labels and its active rewards in display order. */
export interface RewardCatalogue {
  companyId: string;
  pointsLabel: string;
  introText: string | null;
  rewards: CatalogueReward[];
}

export interface MemberIcon {
  body: ArrayBuffer;
  contentType: string;
}

export class LoyaltyCache {
  constructor(
    private readonly kv: KVNamespace,
    private readonly metrics?: RequestMetrics,
  ) {}

  /** Card and catalogue in one KV round trip. */
  async getLookup(
    companyId: string,
    memberId: string,
  ): Promise<{ card: MemberCard | null; catalogue: RewardCatalogue | null }> {
    const cardKey = cacheKeys.memberCard(companyId, memberId);
    const catalogueKey = cacheKeys.rewardCatalogue(companyId);
    const values = await this.timed(() => this.kv.get([cardKey, catalogueKey], "json"), (m) =>
      m.get(cardKey) && m.get(catalogueKey) ? "hit" : m.get(cardKey) || m.get(catalogueKey) ? "partial" : "miss",
    );
    return {
      card: (values.get(cardKey) as MemberCard | null | undefined) ?? null,
      catalogue: (values.get(catalogueKey) as RewardCatalogue | null | undefined) ?? null,
    };
  }

  async putMemberCard(card: MemberCard): Promise<void> {
    await this.kv.put(cacheKeys.memberCard(card.companyId, card.id), JSON.stringify(card), { expirationTtl: DAY });
  }

  async deleteMemberCard(companyId: string, memberId: string): Promise<void> {
    await this.kv.delete(cacheKeys.memberCard(companyId, memberId));
  }

  async putCatalogue(catalogue: RewardCatalogue): Promise<void> {
    await this.kv.put(cacheKeys.rewardCatalogue(catalogue.companyId), JSON.stringify(catalogue), {
      expirationTtl: DAY,
    });
  }

  async deleteCatalogue(companyId: string): Promise<void> {
    await this.kv.delete(cacheKeys.rewardCatalogue(companyId));
  }

  async getIcon(companyId: string, memberId: string): Promise<MemberIcon | null> {
    const result = await this.timed(
      () => this.kv.getWithMetadata<{ contentType?: string }>(cacheKeys.memberIcon(companyId, memberId), "arrayBuffer"),
      (r) => (r.value ? "hit" : "miss"),
    );
    if (!result.value) return null;
    return { body: result.value, contentType: result.metadata?.contentType ?? "image/png" };
  }

  async putIcon(companyId: string, memberId: string, icon: MemberIcon): Promise<void> {
    await this.kv.put(cacheKeys.memberIcon(companyId, memberId), icon.body, {
      metadata: { contentType: icon.contentType },
    });
  }

  private async timed<T>(read: () => Promise<T>, outcome: (value: T) => "hit" | "miss" | "partial"): Promise<T> {
    const started = performance.now();
    const value = await read();
    this.metrics?.recordKv(performance.now() - started, outcome(value));
    return value;
  }
}
