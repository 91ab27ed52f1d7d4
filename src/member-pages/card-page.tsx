import { raw } from "hono/html";
import { count, shortDay } from "../dashboard/format";
import type { CardView } from "../loyalty/members/card-view";
import type { OfferedReward } from "../loyalty/rewards/catalogue";
import { code128Svg, qrCodeSvg } from "../lib/barcodes";
import { historyLine } from "./card-history";
import { MemberDocument } from "./layout";

// The member's own card (GET /card/:token): the programme, their first name (nothing else of who
// they are), the balance and the way to the next reward, what expires soon, the card number as a
// Code 128 barcode and a QR code for the till, the rewards, the last changes of the balance.

export const cardPaths = {
  page: (token: string) => `/card/${token}`,
  manifest: (token: string) => `/card/${token}/manifest.webmanifest`,
  icon: "/card/icon.svg",
};

export const NOT_FOUND_TITLE = "This card link does not work";
export const INACTIVE_TITLE = "This card is no longer active";

/** The one page for an unknown, revoked, malformed or another company's link: nothing about anyone. */
export function CardNotFoundPage() {
  return (
    <MemberDocument title={NOT_FOUND_TITLE}>
      <h1>{NOT_FOUND_TITLE}</h1>
      <p>The link may be incomplete, or a newer link to the same card may have replaced it.</p>
      <p>Ask at the counter for a new link to your card.</p>
    </MemberDocument>
  );
}

/** A live link to a member the merchant deactivated: the programme's name only. */
export function CardInactivePage(props: { programmeName: string }) {
  return (
    <MemberDocument title={INACTIVE_TITLE}>
      <p class="muted">{props.programmeName}</p>
      <h1>{INACTIVE_TITLE}</h1>
      <p>Ask at the counter if you think this is a mistake.</p>
    </MemberDocument>
  );
}

export function CardPage(props: { card: CardView; token: string }) {
  const { card, token } = props;
  const label = card.pointsLabel;
  // The bar aims at the nearest reward of a fixed price (paying with points needs one point only).
  const next = card.savingToward.find((o) => !o.reward.variableQuantity);
  return (
    <MemberDocument title={`${card.programmeName} · Your card`} manifest={cardPaths.manifest(token)}>
      <header class="card-top">
        <p class="card-programme" data-card="programme">
          {card.programmeName}
        </p>
        <h1>
          Hello <span data-card="first-name">{card.firstName}</span>
        </h1>
      </header>

      <section class="card card-balance" aria-labelledby="balance-heading">
        <h2 id="balance-heading" class="visually-hidden">
          Your {label}
        </h2>
        <p class="card-points">
          <strong data-card="points">{count(card.points)}</strong> {label}
        </p>
        {card.tier ? <p data-card="tier">{card.tier}</p> : null}
        {next ? <NextReward next={next} points={card.points} label={label} /> : null}
        {card.expires ? <ExpiryNote card={card} /> : null}
      </section>

      <section class="card card-scan" aria-labelledby="scan-heading">
        <h2 id="scan-heading">Your card</h2>
        {card.cardNumber ? (
          <>
            <p>Show this at the counter: the till scans either code.</p>
            <figure class="barcodes">
              {raw(code128Svg(card.cardNumber, { label: `Barcode of card number ${card.cardNumber}` }))}
              {raw(qrCodeSvg(card.cardNumber, { label: `QR code of card number ${card.cardNumber}` }))}
              <figcaption>
                Card number <span class="card-number" data-card="card-number">{card.cardNumber}</span>
              </figcaption>
            </figure>
          </>
        ) : (
          <p data-card="no-number">Your card has no number yet: at the counter, the staff find you by your name.</p>
        )}
      </section>

      <section class="card" aria-labelledby="rewards-heading">
        <h2 id="rewards-heading">Rewards</h2>
        <h3>Ready to redeem</h3>
        {card.redeemable.length ? (
          <ul class="plain rewards" data-card="redeemable">
            {card.redeemable.map((o) => (
              <li>
                <strong>{o.reward.title}</strong> <span class="muted">{rewardCost(o, label)}</span>
              </li>
            ))}
          </ul>
        ) : (
          <p class="muted" data-card="redeemable-none">
            None yet: keep collecting {label}.
          </p>
        )}
        {card.savingToward.length ? (
          <>
            <h3>Saving toward</h3>
            <ul class="plain rewards" data-card="saving">
              {card.savingToward.map((o) => (
                <li>
                  <strong>{o.reward.title}</strong>{" "}
                  <span class="muted">
                    {count(o.missingPoints)} {label} to go
                  </span>
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </section>

      <section class="card" aria-labelledby="history-heading">
        <h2 id="history-heading">Latest changes</h2>
        {card.history.length ? (
          <ol class="plain history" data-card="history">
            {card.history.map((row) => {
              const line = historyLine(row, card.programmeName);
              return (
                <li>
                  <span>
                    {line.text}, {line.day}
                  </span>{" "}
                  <span class="num">{line.amount}</span>
                </li>
              );
            })}
          </ol>
        ) : (
          <p class="muted">No {label} yet: they show here from your first visit.</p>
        )}
      </section>
    </MemberDocument>
  );
}

function rewardCost(offer: OfferedReward, label: string): string {
  // A variable reward spends as much as the member chooses, up to its cap (or their balance).
  return offer.reward.variableQuantity ? `up to ${count(offer.pointsRequired)} ${label}` : `${count(offer.pointsRequired)} ${label}`;
}

function NextReward(props: { next: OfferedReward; points: number; label: string }) {
  const { next, points, label } = props;
  // The bar runs from 0 to the points this reward needs: the balance plus what is still missing.
  const goal = points + next.missingPoints;
  return (
    <div class="next-reward">
      <label for="next-reward-progress" data-card="next-reward">
        {count(next.missingPoints)} {label} to go for {next.reward.title}
      </label>
      <progress id="next-reward-progress" max={goal} value={points}>
        {count(points)} of {count(goal)}
      </progress>
    </div>
  );
}

function ExpiryNote(props: { card: CardView }) {
  const { card } = props;
  if (!card.expiring) {
    return (
      <p class="muted" data-card="expiring">
        None of your {card.pointsLabel} expire in the next 30 days.
      </p>
    );
  }
  return (
    <p class="notice warn" data-card="expiring">
      {count(card.expiring.points)} {card.pointsLabel} expire on {shortDay(card.expiring.on)}.
    </p>
  );
}
