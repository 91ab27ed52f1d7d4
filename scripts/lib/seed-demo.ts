// The demo company's own data: John Smith and the demo members, rewards, tiers, and the local
// secrets (the stand-in's tokens encrypted as the Worker stores them, the demo admin API key).

import { getTableName } from "drizzle-orm";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
// The Worker's own code (Node loads it through scripts/lib/ts-resolve.ts): tokens are encrypted and
// keys hashed exactly as the Worker does it.
import { hashWebhookSecret } from "../../src/connect/webhook-secret.ts";
import { TokenCipher } from "../../src/lib/token-crypto.ts";
import { foldText } from "../../src/loyalty/search/search-terms.ts";
import { hashApiKey } from "../../src/storage/api-keys.ts";
import { tokenContext } from "../../src/storage/kounta-connections.ts";
import { kountaConnections } from "../../src/storage/schema/connections.ts";
import { COMPANY, COUNTRY_CODE, DAY, DEMO_TIME, FAR_FUTURE, fmt, memberStatements, q, SITE, type SeedMember } from "./seed-sql.ts";
import { ROOT } from "./wrangler.ts";

export const JOHN: SeedMember = {
  id: "mem_8f3k2",
  firstName: "John",
  lastName: "Smith",
  email: "john.smith@example.com",
  phone: "0412 345 678",
  cardNumber: "100200300",
  points: 1250,
  iconVersion: 1,
  createdAt: DEMO_TIME,
};

/** Demo members besides John Smith: [first, last]. Contact details are derived below. */
export const DEMO_NAMES: [string, string | null][] = [
  ["José", "Álvarez"], ["Zoë", "Müller"], ["Søren", "Kierkegaard"], ["Anaïs", "Lefèvre"],
  ["John", "Smithers"], ["Johnny", "Appleseed"], ["Joanna", "Smith"], ["Jo", "Nguyen"],
  ["Mary-Jane", "O'Brien"], ["Siobhán", "Ní Bhriain"], ["François", "Dubois"], ["Björn", "Andersson"],
  ["Chloé", "Martin"], ["Renée", "Côté"], ["Łukasz", "Wiśniewski"], ["Małgorzata", "Kowalska"],
  ["Jürgen", "Schäfer"], ["Inès", "Benali"], ["Maëlle", "Guérin"], ["Núria", "Puig"],
  ["Ana", "Pérez"], ["Héctor", "Muñoz"], ["Thảo", "Trần"], ["Minh", "Nguyễn"],
  ["Aroha", "Ngata"], ["Priya", "Sharma"], ["Arjun", "Patel"], ["Wei", "Zhang"],
  ["Mei", "Chen"], ["Hiroshi", "Tanaka"], ["Yuki", "Sato"], ["Min-jun", "Kim"],
  ["Olivia", "Brown"], ["Jack", "Wilson"], ["Charlotte", "Taylor"], ["William", "Jones"],
  ["Amelia", "Williams"], ["Noah", "Anderson"], ["Isla", "Thompson"], ["Oliver", "White"],
  ["Mia", "Harris"], ["Lachlan", "Martin"], ["Matilda", "Kelly"], ["Cooper", "Ryan"],
  ["Grace", "O'Connor"], ["Liam", "MacDonald"], ["Ruby", "Walker"], ["Harrison", "King"],
  ["Sophie", "Wright"], ["Ethan", "Robinson"], ["Georgia", "Campbell"], ["Lucas", "Mitchell"],
  ["Giulia", "Rossi"], ["Marco", "Bianchi"], ["Dimitri", "Papadopoulos"], ["Eleni", "Georgiou"],
  ["Fatima", "Haddad"], ["Omar", "Khalil"], ["Kwame", "Mensah"], ["Ngozi", "Okafor"],
  ["Cher", null], ["Madonna", null], ["Oscar", "de la Cruz"], ["Émile", "Zola"],
];

export function demoMembers(): SeedMember[] {
  const list: SeedMember[] = [JOHN];
  DEMO_NAMES.forEach(([first, last], i) => {
    const n = i + 1;
    const local = [first, last]
      .filter((p): p is string => !!p)
      .map((p) => foldText(p).replace(/[^a-z0-9]+/g, ""))
      .join(".");
    // Every fifth member enrolled by phone (or card) alone; a few without a phone.
    const email = n % 5 === 0 ? null : `${local}@example.${["com", "net", "org", "com.au"][n % 4]}`;
    const mobile = `4${String(10_000_000 + ((n * 7_919_311) % 89_999_999)).padStart(8, "0")}`;
    const phone =
      n % 7 === 3 && email ? null : n % 2 === 0 ? `+61 ${fmt(mobile, [3, 3, 3])}` : `0${fmt(mobile, [3, 3, 3])}`;
    list.push({
      id: `mem_demo_${String(n).padStart(3, "0")}`,
      firstName: first,
      lastName: last,
      email,
      phone,
      // Every third member carries a loyalty card.
      cardNumber: n % 3 === 0 ? String(100_200_300 + n * 11) : null,
      points: n % 9 === 4 ? 0 : (n * 733) % 5001,
      iconVersion: n % 8 === 1 ? 1 : null,
      createdAt: DEMO_TIME + n * DAY,
    });
  });
  return list;
}

export const REWARDS = [
  { id: "rwd_coffee", title: "Free coffee", terms: "Any regular hot drink", kind: "free_product", pointsRequired: 500, variableQuantity: 0, actionLabel: null, value: null, productId: "2001" },
  { id: "rwd_5off", title: "$5 off your order", terms: null, kind: "amount_off", pointsRequired: 1000, variableQuantity: 0, actionLabel: null, value: 500, productId: null },
  { id: "rwd_pay_points", title: "Pay with points", terms: "1 point = 1 cent", kind: "points_payment", pointsRequired: 2000, variableQuantity: 1, actionLabel: "Use points", value: null, productId: null },
  { id: "rwd_cake", title: "Free slice of cake", terms: null, kind: "free_product", pointsRequired: 1500, variableQuantity: 0, actionLabel: null, value: null, productId: "2003" },
  { id: "rwd_20pct", title: "20% off everything", terms: null, kind: "percent_off", pointsRequired: 3000, variableQuantity: 0, actionLabel: null, value: 2000, productId: null },
] as const;

/** Three tiers on points earned over a rolling 12 months; John Smith is held at Gold by hand (for good). */
export const TIERS = [
  { id: "tier_demo_bronze", name: "Bronze", threshold: 0, multiplier: 1 },
  { id: "tier_demo_silver", name: "Silver", threshold: 500, multiplier: 1.25 },
  { id: "tier_demo_gold", name: "Gold", threshold: 1000, multiplier: 1.5 },
] as const;

/** A reward only Gold members are offered (and may redeem); not in the demo activity. */
export const GOLD_REWARD = {
  id: "rwd_gold_cake", title: "Gold: free slice of cake", terms: "For Gold members", kind: "free_product", pointsRequired: 1000,
  variableQuantity: 0, actionLabel: null, value: null, productId: "2003", minTierId: "tier_demo_gold",
} as const;

/** The admin API key of company 456 in local development only (README curl examples). */
export const DEV_ADMIN_KEY = `dev-admin-key-${COMPANY}`;

/** TOKEN_ENCRYPTION_KEYS as `wrangler dev` sees it: .dev.vars, else the example it is copied from. */
export function localTokenKeys(): string {
  for (const name of [".dev.vars", ".dev.vars.example"]) {
    const file = path.join(ROOT, name);
    if (!existsSync(file)) continue;
    const line = /^\s*TOKEN_ENCRYPTION_KEYS\s*=\s*(.+?)\s*$/m.exec(readFileSync(file, "utf8"));
    if (line) return line[1]!.replace(/^(["'])(.*)\1$/, "$2");
  }
  throw new Error("no TOKEN_ENCRYPTION_KEYS in .dev.vars or .dev.vars.example");
}

export async function connectionStatements(): Promise<string[]> {
  const cipher = TokenCipher.fromSecret(localTokenKeys());
  const access = await cipher.encrypt(`dev-access-token-${COMPANY}`, tokenContext(COMPANY, "access_token"));
  const refresh = await cipher.encrypt(`dev-refresh-token-${COMPANY}`, tokenContext(COMPANY, "refresh_token"));
  const webhookSecretHash = await hashWebhookSecret("dev-webhook-secret-456");
  const adminKeyHash = await hashApiKey(DEV_ADMIN_KEY);
  const connections = getTableName(kountaConnections);
  return [
    // Tokens for the local Kounta stand-in (port 8788), never real ones; encrypted like an OAuth connection.
    `INSERT OR IGNORE INTO ${connections} (company_id, status, access_token_ciphertext, refresh_token_ciphertext, access_token_expires_at, connected_at, updated_at)
VALUES (${[COMPANY, "connected", access, refresh, FAR_FUTURE, DEMO_TIME, DEMO_TIME].map(q).join(", ")});`,
    // A local state seeded before tokens were encrypted: encrypt its demo tokens in place.
    `UPDATE ${connections} SET access_token_ciphertext = ${q(access)}, refresh_token_ciphertext = ${q(refresh)}, access_token = NULL, refresh_token = NULL
WHERE company_id = ${q(COMPANY)} AND status = 'connected' AND access_token_ciphertext IS NULL;`,
    // The orders/completed webhook the stand-in's demo company delivers with (dev/kounta-stand-in/state.ts
    // DEMO_WEBHOOK): only the hash of its local secret, as connecting stores it.
    `UPDATE ${connections} SET webhook_id = '9456', webhook_secret_hash = ${q(webhookSecretHash)}
WHERE company_id = ${q(COMPANY)} AND webhook_secret_hash IS NULL;`,
    // A manager's key (large adjustments, the limits).
    `INSERT OR IGNORE INTO api_keys (id, company_id, name, prefix, key_hash, manager, created_at)
VALUES (${[`key_dev_${COMPANY}`, COMPANY, "Local development", DEV_ADMIN_KEY.slice(0, 10), adminKeyHash, 1, DEMO_TIME].map(q).join(", ")});`,
  ];
}

export async function demoStatements(members: SeedMember[]): Promise<string[]> {
  const company = {
    id: COMPANY,
    name: "Demo Café",
    pointsLabel: "Points",
    introText: "Welcome back! Every dollar earns a point.",
    currency: "AUD",
  };
  const statements = [
    `INSERT OR IGNORE INTO companies (id, name, points_label, intro_text, currency, phone_country_code, created_at, updated_at)
VALUES (${[company.id, company.name, company.pointsLabel, company.introText, company.currency, COUNTRY_CODE, DEMO_TIME, DEMO_TIME].map(q).join(", ")});`,
    // Redemption settings in the stand-in's catalogue: 9001 "Loyalty reward" for amount-off lines,
    // payment method 5001 "Loyalty points", a point worth a cent. Only where not set yet.
    `UPDATE companies SET reward_product_id = '9001' WHERE id = ${q(COMPANY)} AND reward_product_id IS NULL;`,
    `UPDATE companies SET loyalty_payment_method_id = '5001' WHERE id = ${q(COMPANY)} AND loyalty_payment_method_id IS NULL;`,
    ...(await connectionStatements()),
    `INSERT OR IGNORE INTO sites (company_id, id, name, created_at) VALUES (${[COMPANY, SITE, "Demo Café – George St", DEMO_TIME].map(q).join(", ")});`,
    `INSERT OR IGNORE INTO rewards (id, company_id, title, terms, kind, points_required, variable_quantity, action_label, value, product_id, active, sort_order, created_at, updated_at) VALUES
${REWARDS.map((r, i) => `(${[r.id, COMPANY, r.title, r.terms, r.kind, r.pointsRequired, r.variableQuantity, r.actionLabel, r.value, r.productId, 1, i, DEMO_TIME, DEMO_TIME].map(q).join(", ")})`).join(",\n")};`,
    `INSERT OR IGNORE INTO tiers (id, company_id, position, name, threshold, multiplier, created_at, updated_at) VALUES
${TIERS.map((t, i) => `(${[t.id, COMPANY, i, t.name, t.threshold, t.multiplier, DEMO_TIME, DEMO_TIME].map(q).join(", ")})`).join(",\n")};`,
    `INSERT OR IGNORE INTO rewards (id, company_id, title, terms, kind, points_required, variable_quantity, action_label, value, product_id, min_tier_id, active, sort_order, created_at, updated_at) VALUES
(${[GOLD_REWARD.id, COMPANY, GOLD_REWARD.title, GOLD_REWARD.terms, GOLD_REWARD.kind, GOLD_REWARD.pointsRequired, GOLD_REWARD.variableQuantity, GOLD_REWARD.actionLabel, GOLD_REWARD.value, GOLD_REWARD.productId, GOLD_REWARD.minTierId, 1, REWARDS.length, DEMO_TIME, DEMO_TIME].map(q).join(", ")});`,
    ...memberStatements(members),
    // John Smith is Gold by hand, for good, with that change in his history (the first time only).
    `INSERT OR IGNORE INTO tier_changes (id, company_id, member_id, from_tier_id, from_name, to_tier_id, to_name, reason, actor, created_at)
SELECT 'tch_demo_john_gold', m.company_id, m.id, 'tier_demo_bronze', 'Bronze', 'tier_demo_gold', 'Gold', 'manual', 'seed', ${DEMO_TIME}
FROM members m WHERE m.company_id = ${q(COMPANY)} AND m.id = ${q(JOHN.id)} AND m.tier_floor_id IS NULL;`,
    `UPDATE members SET tier_floor_id = 'tier_demo_gold', tier_id = 'tier_demo_gold'
WHERE company_id = ${q(COMPANY)} AND id = ${q(JOHN.id)} AND tier_floor_id IS NULL
  AND EXISTS (SELECT 1 FROM tiers WHERE id = 'tier_demo_gold' AND removed_at IS NULL);`,
    // John Smith agreed to emails (src/loyalty/notifications/), once: an unsubscribe in the demo stays.
    `UPDATE members SET email_consent = 1, email_consent_at = ${DEMO_TIME}
WHERE company_id = ${q(COMPANY)} AND id = ${q(JOHN.id)} AND email_consent_at IS NULL;`,
    // John Smith is Kounta customer 789 (only if the demo John is the one in the table).
    `INSERT OR IGNORE INTO customer_links (company_id, kounta_customer_id, member_id, linked_at)
SELECT m.company_id, '789', m.id, ${DEMO_TIME} FROM members m WHERE m.company_id = ${q(COMPANY)} AND m.id = ${q(JOHN.id)};`,
  ];
  return statements;
}
