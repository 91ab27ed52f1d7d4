import type { FormFieldKind } from "../../admin/inputs";
import { formatMoney } from "../../lib/money";
import { rewardKinds, type Reward, type RewardKind } from "../../storage/schema";
import { amountText, type FormMapping } from "./programme-forms";

// The four kinds of reward as the dashboard names them, and how a reward form maps to the admin
// API's NewReward and RewardPatch bodies. The amount of an amount_off reward is typed in the
// company's currency ("5.00") and sent as amount_cents.

export const kindNames: Record<RewardKind, { name: string; description: string }> = {
  free_product: { name: "Free product", description: "The POS adds a product to the sale at no charge, e.g. a free coffee." },
  amount_off: { name: "Amount off", description: "A fixed amount comes off the sale, e.g. $5.00 off." },
  percent_off: { name: "Percentage off", description: "A percentage comes off every line of the sale, e.g. 20% off." },
  points_payment: {
    name: "Pay with points",
    description: "The member pays some or all of the sale with points, each worth the point value set under Programme.",
  },
};

/** The kinds in the order the dashboard offers them. */
export const kindsOffered: RewardKind[] = ["free_product", "amount_off", "percent_off", "points_payment"];

export function isRewardKind(kind: unknown): kind is RewardKind {
  return typeof kind === "string" && (rewardKinds as readonly string[]).includes(kind);
}

/** percent_off is stored in basis points (2000 = 20%). */
const percentOf = (reward: Reward) => (reward.value ?? 0) / 100;

/** What the reward gives, in a few words: "$5.00 off", "20% off", "free product 1234", "pay with points". */
export function rewardGives(reward: Reward, currency: string): string {
  switch (reward.kind) {
    case "amount_off":
      return `${formatMoney(reward.value ?? 0, currency)} off`;
    case "percent_off":
      return `${percentOf(reward)}% off`;
    case "free_product":
      return `free product ${reward.productId ?? ""}`.trim();
    case "points_payment":
      return "pay with points";
  }
}

// min_tier_id: the "For members of" select (blank: every member); a form without tiers does not send it.
const common = {
  title: "string",
  terms: "nullableString",
  points_required: "int",
  action_label: "nullableString",
  min_tier_id: "nullableString",
} satisfies Record<string, FormFieldKind>;

const ownFields: Record<RewardKind, Pick<FormMapping, "fields" | "money" | "required">> = {
  amount_off: { fields: {}, money: { amount: "amount_cents" }, required: ["amount"] },
  percent_off: { fields: { percent: "number" }, required: ["percent"] },
  free_product: { fields: { product_id: "string" } },
  points_payment: { fields: {} },
};

/** A new reward's form (its kind in a hidden field) -> NewReward. */
export function newRewardMapping(kind: RewardKind): FormMapping {
  const own = ownFields[kind];
  return { fields: { kind: "string", ...common, ...own.fields }, money: own.money, required: ["points_required", ...(own.required ?? [])] };
}

/** An existing reward's form (no kind: it never changes) -> RewardPatch. */
export function rewardPatchMapping(kind: RewardKind): FormMapping {
  const own = ownFields[kind];
  return { fields: { ...common, active: "boolean", ...own.fields }, money: own.money, required: ["points_required", ...(own.required ?? [])] };
}

/** A reward as its edit form shows it. */
export function rewardFormValues(reward: Reward): Record<string, string> {
  const values: Record<string, string> = {
    title: reward.title,
    terms: reward.terms ?? "",
    points_required: String(reward.pointsRequired),
    action_label: reward.actionLabel ?? "",
    min_tier_id: reward.minTierId ?? "",
    active: reward.active ? "true" : "false",
  };
  if (reward.kind === "amount_off") values.amount = amountText(reward.value ?? 0);
  if (reward.kind === "percent_off") values.percent = String(percentOf(reward));
  if (reward.kind === "free_product") values.product_id = reward.productId ?? "";
  return values;
}
