import { createFactory } from "hono/factory";
import { z } from "zod";
import { KountaError } from "../lib/errors";
import { memberMessages, serviceMessages as messages } from "../loyalty/cashier-messages";
import type { AppEnv } from "../services";
import { all, batch } from "../storage/sql";
import { refreshCatalogue } from "../loyalty/cache";
import { memberCardFromRow, memberLookupStatements, type MemberCard, type MemberRow } from "../loyalty/members/card";
import type { CompanyRow } from "../loyalty/programme";
import { tierStatus } from "../loyalty/tiers/status";
import { catalogueFromRows, offerRewards, programmeStatements, type RewardCatalogue, type RewardRow } from "../loyalty/rewards/catalogue";
import { assertKeyOpensCompany } from "./addon-key";
import { kountaId, kountaParams, memberReference, optionalKountaId, orderPlaceholder } from "./params";
import { publicOrigin } from "./origin";
import { buildRedeemUrl } from "./redeem-url";
import { base64Url } from "../lib/crypto";
import { toKountaMember, toKountaReward, type RewardLookupResponse } from "./wire";

export const rewardLookupParams = z
  .object({
    company_id: kountaId("company_id"),
    customer_id: optionalKountaId("customer_id"),
    reference_id: memberReference,
    site_id: optionalKountaId("site_id"),
    order_id: orderPlaceholder,
  })
  .refine((p) => p.reference_id || p.customer_id, { error: "reference_id or customer_id is required" });

export const rewardLookupHandlers = createFactory<AppEnv>().createHandlers(
  kountaParams(rewardLookupParams),
  async (c) => {
    const services = c.get("services");
    const { db, cache, config } = services;
    // What a replica read is cached for a minute only (a copy may not have seen the latest change yet).
    const fromReplica = services.sessionKind === "replica";
    const p = c.req.valid("query");
    const companyId = p.company_id;
    assertKeyOpensCompany(c, companyId);

    let card: MemberCard | null = null;
    let catalogue: RewardCatalogue | null = null;
    if (p.reference_id) ({ card, catalogue } = await cache.getLookup(companyId, p.reference_id));
    // A cached card that does not list this Kounta customer yet: the link is written in D1 and the
    // card read fresh with it (a cached card put back could be older than what D1 holds now).
    if (card && p.customer_id && !card.kountaCustomerIds.includes(p.customer_id)) card = null;

    if (!card || !catalogue) {
      // Cold: one D1 batch reads the member and whom the Kounta customer points at, plus the programme
      // when KV did not have it. Only what was missing is written back to KV.
      const { link, member } = memberLookupStatements({
        companyId,
        memberId: p.reference_id ?? null,
        kountaCustomerId: p.customer_id ?? null,
        now: Date.now(),
      });
      const linkSteps = link ? [link.current] : [];
      let rows: unknown[][];
      if (catalogue) {
        rows = await batch(db, [...linkSteps, member]);
      } else {
        const { company, rewards } = programmeStatements(companyId);
        rows = await batch(db, [...linkSteps, company, rewards, member]);
        const [companyRows, rewardRows] = rows.slice(linkSteps.length) as [CompanyRow[], RewardRow[]];
        catalogue = catalogueFromRows(companyRows, rewardRows);
        if (!catalogue) throw new KountaError(404, messages.notConnected);
        c.executionCtx.waitUntil(cache.putCatalogue(catalogue, { fromReplica }));
      }
      const row = (rows.at(-1) as MemberRow[])[0];
      if (!row) throw new KountaError(404, memberMessages.notMember);
      card = memberCardFromRow(row);
      // The customer points at another member, or none yet (the first lookup of this pair): the link
      // is written now, a second round trip and the only one on the primary; a lookup of a pair
      // already linked reads only (one round trip, the nearest copy). That other member's cached card
      // still lists the customer and would let a lookup skip relinking, so it goes (the latest wins).
      const linkedTo = link ? (rows[0] as { member_id: string }[])[0]?.member_id : undefined;
      if (link && p.customer_id && linkedTo !== card.id) {
        await all(db, link.upsert);
        card = { ...card, kountaCustomerIds: [...card.kountaCustomerIds, p.customer_id] };
        if (linkedTo) c.executionCtx.waitUntil(cache.deleteMemberCard(companyId, linkedTo));
      }
      c.executionCtx.waitUntil(cache.putMemberCard(card, { fromReplica }));
      // D1's cards generation is ahead of the cached catalogue's: a catalogue read before the
      // company's cards were invalidated was written last. Put the current one back (rare), or
      // cards from before the invalidation would pass as current again.
      if ((card.generation ?? 0) > (catalogue.cardsGeneration ?? 0)) await refreshCatalogue(db, cache, companyId);
    }

    if (card.status !== "active") throw new KountaError(404, memberMessages.inactive);

    const origin = publicOrigin(c);
    const now = Date.now();
    const tier = tierStatus(catalogue.tiers ?? [], card.tierId, card.tierValue ?? 0);
    const offers = offerRewards(catalogue, card.points, tier?.position ?? -1);
    // One nonce per lookup: every reward link of this answer shares it.
    const nonce = base64Url(crypto.getRandomValues(new Uint8Array(6)));
    const rewardsOut = await Promise.all(
      offers.map(async (offer) =>
        toKountaReward(
          offer,
          catalogue.pointsLabel,
          await buildRedeemUrl({
            origin,
            signingKey: config.REDEEM_SIGNING_KEY,
            ttlSeconds: config.REDEEM_URL_TTL_SECONDS,
            now,
            companyId,
            siteId: p.site_id,
            memberId: card.id,
            customerId: p.customer_id,
            rewardId: offer.reward.id,
            // What was shown: the price, or for a variable-quantity reward (the cost is chosen at the
            // till) the most it takes. A reward changed since is refused rather than charged anew.
            ...(offer.reward.variableQuantity ? { maxPoints: offer.pointsRequired } : { points: offer.reward.pointsRequired }),
            orderPlaceholder: p.order_id,
            nonce,
          }),
        ),
      ),
    );
    return c.json({
      member: toKountaMember(card, catalogue, origin, tier),
      rewards: rewardsOut,
    } satisfies RewardLookupResponse);
  },
);
