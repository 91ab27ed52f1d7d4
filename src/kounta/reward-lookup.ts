import { createFactory } from "hono/factory";
import { z } from "zod";
import { KountaError, messages } from "../lib/errors";
import type { AppEnv } from "../lib/services";
import { batch } from "../storage/sql";
import type { MemberCard, RewardCatalogue } from "../storage/cache";
import { linkKountaCustomer, memberCardFromRow, memberLookupStatements } from "../loyalty/members";
import { catalogueFromRows, offerRewards, programmeStatements } from "../loyalty/programme";
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

const NOT_A_MEMBER = "This customer is not a member of the loyalty programme.";
const INACTIVE = "This membership is no longer active.";

export const rewardLookupHandlers = createFactory<AppEnv>().createHandlers(
  kountaParams(rewardLookupParams),
  async (c) => {
    const { db, cache, config } = c.get("services");
    const p = c.req.valid("query");
    const companyId = p.company_id;

    let card: MemberCard | null = null;
    let catalogue: RewardCatalogue | null = null;
    if (p.reference_id) ({ card, catalogue } = await cache.getLookup(companyId, p.reference_id));

    if (!card || !catalogue) {
      // Cold: one D1 batch links the Kounta customer, reads the programme and the member.
      const now = Date.now();
      const { link, member } = memberLookupStatements({
        companyId,
        memberId: p.reference_id ?? null,
        kountaCustomerId: p.customer_id ?? null,
        now,
      });
      const { company, rewards } = programmeStatements(companyId);
      const [, companyRows, rewardRows, memberRows] = link
        ? await batch(db, [link, company, rewards, member])
        : [[], ...(await batch(db, [company, rewards, member]))];
      catalogue = catalogueFromRows(companyRows, rewardRows);
      if (!catalogue) throw new KountaError(404, messages.notConnected);
      const row = memberRows[0];
      if (!row) throw new KountaError(404, NOT_A_MEMBER);
      card = memberCardFromRow(row);
      c.executionCtx.waitUntil(Promise.all([cache.putMemberCard(card), cache.putCatalogue(catalogue)]));
    } else if (p.customer_id && !card.kountaCustomerIds.includes(p.customer_id)) {
      await linkKountaCustomer(db, companyId, card.id, p.customer_id);
      card = { ...card, kountaCustomerIds: [...card.kountaCustomerIds, p.customer_id] };
      c.executionCtx.waitUntil(cache.putMemberCard(card));
    }

    if (card.status !== "active") throw new KountaError(404, INACTIVE);

    const origin = publicOrigin(c);
    const now = Date.now();
    const offers = offerRewards(catalogue, card.points);
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
            orderPlaceholder: p.order_id,
            nonce,
          }),
        ),
      ),
    );
    return c.json({
      member: toKountaMember(card, catalogue, origin),
      rewards: rewardsOut,
    } satisfies RewardLookupResponse);
  },
);
