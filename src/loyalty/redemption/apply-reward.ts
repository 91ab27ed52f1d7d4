import type { KountaClient } from "../../kounta-api/client";
import { KountaApiError, mayHaveChanged } from "../../kounta-api/errors";
import type { KountaOrderLine } from "../../kounta-api/types";
import { rewardSetupMessages as setup } from "../cashier-messages";
import { changeOrder } from "./change-outcome";
import { nothingToPay, owedCents, pointsPaymentRefusal } from "./order-owing";
import { assertOrderTakesReward, orderTakesReward, OrderStatusError } from "./order-status";
import type { CompanySettings, RewardDetails } from "./redemption";

// How each kind of reward changes the Kounta order, with as few calls as the kind allows. Every line
// or payment we add or change carries the redemption id (line notes, payment ref), so the order
// itself says whether a redemption landed: the settling job reads it back (./read-back.ts). Every
// change goes through changeOrder (./change-outcome.ts): a gateway's 5xx leaves its outcome unknown.

/**
 * The reward cannot be applied, as it is set up (a merchant's fix) or to the order as it stands (nothing
 * to discount, no room for another discount's note): nothing was changed.
 */
export class RewardSetupError extends Error {
  override name = "RewardSetupError";
}

export interface ApplyInput {
  redemptionId: string;
  orderId: string;
  reward: RewardDetails;
  company: CompanySettings;
  /** Cents off (amount_off), basis points off (percent_off) or cents paid (points_payment). */
  amountCents: number | null;
}

export const REWARD_NOTE = "Loyalty reward";

/** Kounta keeps this many characters of a line's notes. */
const LINE_NOTES_MAX = 250;
/** Between a line's own notes and ours (and between rewards' notes). */
const NOTE_SEPARATOR = " | ";

/** What marks a redemption's lines on an order: how a read of the order finds it again. */
export function redemptionMark(redemptionId: string): string {
  return `${REWARD_NOTE} ${redemptionId}`;
}

export function redemptionNote(redemptionId: string, title: string): string {
  return `${redemptionMark(redemptionId)}: ${title}`.slice(0, LINE_NOTES_MAX);
}

/** Applies the reward; answers where it landed ("line:3", "lines:1,2", "payment:991"). */
export async function applyRewardToOrder(client: KountaClient, input: ApplyInput): Promise<string> {
  const { reward, company, orderId, redemptionId } = input;
  const notes = redemptionNote(redemptionId, reward.title);
  switch (reward.kind) {
    case "free_product": {
      if (!reward.product_id) throw new RewardSetupError(setup.noProduct);
      const res = await explainRefusal(client, input, () =>
        changeOrder(() => client.addLine(orderId, { product_id: reward.product_id!, quantity: 1, unit_price: 0, notes })),
      );
      return `line:${lastSegment(res.location)}`;
    }
    case "amount_off":
      return applyAmountOff(client, input, notes);
    case "percent_off":
      return applyPercentOff(client, input, reward.title);
    case "points_payment": {
      if (!input.amountCents || input.amountCents <= 0) throw new RewardSetupError(setup.noPointValue);
      // Kounta takes a payment on a finished sale too, and more than the order owes: its status and
      // what it still owes are checked first (one read more).
      const order = await client.getOrder(orderId);
      assertOrderTakesReward("points_payment", order.status);
      const refused = pointsPaymentRefusal(owedCents(order), input.amountCents, company);
      if (refused !== null) throw new RewardSetupError(refused);
      return payWithLoyalty(client, input, input.amountCents);
    }
  }
}

/**
 * An amount off: one line of the reward product at a negative price, of at most what the order still
 * owes (a voucher gives no change: ./order-owing.ts), so the order is read first, for that and its
 * status. Should Kounta refuse the line (whether it takes a negative unit_price is unpublished), the
 * order is read again (the refusal may be its status) and the amount goes on as a loyalty payment.
 */
async function applyAmountOff(client: KountaClient, input: ApplyInput, notes: string): Promise<string> {
  const productId = input.company.reward_product_id;
  const cents = input.amountCents;
  if (!productId) throw new RewardSetupError(setup.noRewardProduct);
  if (!cents || cents <= 0) throw new RewardSetupError(setup.noAmount);
  const off = await amountOffNow(client, input.orderId, cents);
  // Kounta's unit_price is ex tax: set the reward product up tax-free so the amount is exact.
  try {
    const res = await changeOrder(() => client.addLine(input.orderId, { product_id: productId, quantity: 1, unit_price: -off / 100, notes }));
    return `line:${lastSegment(res.location)}`;
  } catch (err) {
    if (!(err instanceof KountaApiError && err.failure === "refused")) throw err;
    return payWithLoyalty(client, input, await amountOffNow(client, input.orderId, cents));
  }
}

/**
 * What an amount off of `cents` takes off the order as it stands: at most what it owes. Throws when it
 * takes nothing: its status (OrderStatusError), nothing owed or unknown (RewardSetupError).
 */
async function amountOffNow(client: KountaClient, orderId: string, cents: number): Promise<number> {
  const order = await client.getOrder(orderId);
  assertOrderTakesReward("amount_off", order.status);
  const owed = owedCents(order);
  if (owed === null || owed <= 0) throw new RewardSetupError(nothingToPay(owed) ?? setup.nothingOwed);
  return Math.min(cents, owed);
}

/**
 * Adds a line, and when Kounta refuses it, says why if the order's status is the reason (Kounta
 * refuses lines once an order is accepted): an OrderStatusError, else Kounta's own refusal.
 */
async function explainRefusal<T>(client: KountaClient, input: ApplyInput, change: () => Promise<T>): Promise<T> {
  try {
    return await change();
  } catch (err) {
    if (!(err instanceof KountaApiError && err.failure === "refused")) throw err;
    const status = await client.getOrder(input.orderId).then((o) => o.status, () => null);
    if (status !== null && !orderTakesReward(input.reward.kind, status)) throw new OrderStatusError(status);
    throw err;
  }
}

async function payWithLoyalty(client: KountaClient, input: ApplyInput, cents: number): Promise<string> {
  // Without a configured method, Kounta uses our add-on's own payment method.
  const res = await changeOrder(() =>
    client.addPayment(input.orderId, {
      ...(input.company.loyalty_payment_method_id ? { method_id: input.company.loyalty_payment_method_id } : {}),
      amount: cents / 100,
      ref: input.redemptionId,
    }),
  );
  return `payment:${lastSegment(res.location)}`;
}

// A percent-off reward changes every line of the order, one PUT each: all of them or none. Each
// line it discounts carries "Loyalty reward <id> (<i>/<n>, was <price_variation before>)", so the
// order itself says whether the discount reached every line it was meant for, and what to put back. A partial discount is never confirmed: it is put back
// (and the points given back), or the redemption stays pending until it can be.

/** A line PUT takes at least this long in the budget: more when the order's read was slower. */
const MIN_CALL_MS = 100;

/** A percent-off changed some lines of the order and putting them back failed: only the order can tell what holds. */
export class DiscountNotPutBackError extends Error {
  override name = "DiscountNotPutBackError";
  constructor(readonly lines: number[], override readonly cause: unknown) {
    super(`Lines ${lines.join(",")} may still carry the discount`);
  }
}

/**
 * A percent-off's note on one line: its head (the mark, the line's place among the lines it discounts
 * and its variation before: what reading the order back needs, ./read-back.ts), then the title.
 */
function percentNote(redemptionId: string, title: string, index: number, count: number, was: number): PercentNote {
  return { head: `${redemptionMark(redemptionId)} (${index}/${count}, was ${was})`, title };
}

interface PercentNote {
  head: string;
  title: string;
}

/** Our part of a line's notes (which carry our mark): from the mark to the next reward's (or the end). */
export function ourSegment(notes: string, mark: string): { start: number; end: number; text: string } {
  const start = notes.indexOf(mark);
  const next = notes.indexOf(`${NOTE_SEPARATOR}${REWARD_NOTE} `, start + mark.length);
  const end = next < 0 ? notes.length : next;
  return { start, end, text: notes.slice(start, end) };
}

/** The notes without our segment, the rest (the line's own, other rewards') kept as it was. */
export function withoutSegment(notes: string, segment: { start: number; end: number }): string {
  const before = notes.slice(0, segment.start).replace(/ \| $/, "");
  const after = notes.slice(segment.end).replace(/^ \| /, "");
  return before && after ? `${before}${NOTE_SEPARATOR}${after}` : before || after;
}

/** Whether our note's head fits after the line's notes without cutting another reward's note short. */
function noteFits(own: string | null | undefined, note: PercentNote): boolean {
  return !own || !own.includes(`${REWARD_NOTE} `) || own.length + NOTE_SEPARATOR.length + note.head.length <= LINE_NOTES_MAX;
}

/**
 * A line's notes with our note after its own. The line's own notes (what the cashier typed, another
 * reward's note) stay whole, so putting the line back from what the order shows (./read-back.ts)
 * gives them back as they were: our title is cut short first, then dropped. Only own notes so long
 * that even our head does not fit after them (about 200 characters, and no other reward's note in
 * them: noteFits refuses that) lose their end.
 */
function withNote(own: string | null | undefined, note: PercentNote): string {
  const ours = `${note.head}: ${note.title}`;
  if (!own) return ours.slice(0, LINE_NOTES_MAX);
  const room = LINE_NOTES_MAX - own.length - NOTE_SEPARATOR.length;
  if (room >= ours.length) return `${own}${NOTE_SEPARATOR}${ours}`;
  // The title cut short, to two characters at least (": 2" after the head says nothing more than it).
  if (room >= note.head.length + 4) return `${own}${NOTE_SEPARATOR}${ours.slice(0, room)}`;
  if (room >= note.head.length) return `${own}${NOTE_SEPARATOR}${note.head}`;
  return `${own.slice(0, LINE_NOTES_MAX - NOTE_SEPARATOR.length - note.head.length)}${NOTE_SEPARATOR}${note.head}`;
}

async function applyPercentOff(client: KountaClient, input: ApplyInput, title: string): Promise<string> {
  const basisPoints = input.amountCents ?? 0;
  if (basisPoints <= 0 || basisPoints > 10_000) throw new RewardSetupError(setup.noPercentage);
  const started = Date.now();
  const order = await client.getOrder(input.orderId);
  const pace = Math.max(MIN_CALL_MS, Date.now() - started);
  assertOrderTakesReward("percent_off", order.status);
  const lines = order.lines.filter((l) => (l.unit_price ?? 0) > 0);
  if (lines.length === 0) throw new RewardSetupError(setup.nothingToDiscount);
  // Every reward's note on a line is how the order says which discounts it carries: never cut one.
  const notes = lines.map((line, i) => percentNote(input.redemptionId, title, i + 1, lines.length, line.price_variation ?? 1));
  if (lines.some((line, i) => !noteFits(line.notes, notes[i]!))) {
    throw new RewardSetupError(setup.noRoomForPercentage);
  }
  // Start only with time for one PUT and its put-back. Each PUT below ends early enough to put back
  // every line changed before it, so a discount the deadline cuts short is taken off again (all
  // lines or none) however many lines the order has and however fast Kounta answers.
  if (Date.now() + 2 * pace > client.deadline) {
    throw new KountaApiError("not_sent", `No time left to discount ${lines.length} lines`);
  }

  const factor = 1 - basisPoints / 10_000;
  const changed: KountaOrderLine[] = [];
  try {
    for (const [i, line] of lines.entries()) {
      // Each PUT ends early enough to put back every line changed so far, itself included.
      await changeOrder(() =>
        client.updateLine(
          input.orderId,
          line.number,
          {
            price_variation: Math.round((line.price_variation ?? 1) * factor * 10_000) / 10_000,
            notes: withNote(line.notes, notes[i]!),
          },
          { deadline: client.deadline - (changed.length + 1) * pace },
        ),
      );
      changed.push(line);
    }
  } catch (err) {
    // Put back what was changed (and the line whose PUT may have landed unanswered), so a failed
    // redemption leaves the order as it was; when that fails, the order has the last word. A PUT whose
    // outcome is unknown (uncertain: a lost answer, a gateway's 5xx) may still land after its put-back:
    // the redemption then stays pending (redeem-reward.ts), so the settling job reads the order later.
    const failed = lines[changed.length];
    const suspect = mayHaveChanged(err) && failed ? [...changed, failed] : changed;
    const restored = await putBack(client, input.orderId, suspect.map((l) => ({ number: l.number, price_variation: l.price_variation ?? 1, notes: l.notes ?? "" })));
    if (!restored) throw new DiscountNotPutBackError(suspect.map((l) => l.number), err);
    throw err;
  }
  return `lines:${changed.map((l) => l.number).join(",")}`;
}

/** Sets lines back as they were; true only when every one of them was. */
export async function putBack(client: KountaClient, orderId: string, lines: { number: number; price_variation: number; notes: string }[]): Promise<boolean> {
  let all = true;
  for (const line of lines) {
    try {
      await client.updateLine(orderId, line.number, { price_variation: line.price_variation, notes: line.notes });
    } catch {
      all = false;
    }
  }
  return all;
}

function lastSegment(location: string | null): string {
  if (!location) return "?";
  const path = location.split("?")[0]!.replace(/\.json$/, "");
  return path.slice(path.lastIndexOf("/") + 1) || "?";
}
