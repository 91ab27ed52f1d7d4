// Seeds the local D1 (binding DB) and KV (binding CACHE) with a demo company for `wrangler dev`.
//
//   npm run seed                          demo data only (idempotent: run it as often as you like)
//   npm run seed -- --members 100000      plus 100,000 synthetic members (new random ids each run)
//   npm run seed -- --persist-to DIR      another local state directory (wrangler --persist-to)
//
// The SQL goes to a temp file run by `wrangler d1 execute DB --local --file`, which runs the whole
// file as one batch (one transaction). Demo rows have fixed ids and go in with INSERT OR IGNORE;
// ledger rows are only written for members that have none yet, so a second run changes nothing.

import { getTableName } from "drizzle-orm";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { crc32, deflateSync } from "node:zlib";
// The Worker's own code (Node loads it through scripts/lib/ts-resolve.ts): tokens are encrypted,
// keys hashed and icons keyed exactly as the Worker does it.
import { hashWebhookSecret } from "../src/connect/webhook-secret.ts";
import { TokenCipher } from "../src/lib/token-crypto.ts";
import { cacheKeys } from "../src/loyalty/cache-keys.ts";
import { buildSearchTerms, foldText, tokenStart } from "../src/loyalty/search/search-terms.ts";
import { hashApiKey } from "../src/storage/api-keys.ts";
import { tokenContext } from "../src/storage/kounta-connections.ts";
import { kountaConnections } from "../src/storage/schema/connections.ts";
import { DEMO_ACTIVITY_KEY_PREFIX, DEMO_ACTIVITY_WEEKS, demoActivityStatements } from "./lib/demo-activity.ts";
import { persistArgs, ROOT, runWrangler } from "./lib/wrangler.ts";

const COMPANY = "456";
const SITE = "123";
const COUNTRY_CODE = "61";
const DAY = 24 * 3600 * 1000;
/** Fixed times for the demo rows, so the generated SQL is the same on every run. */
const DEMO_TIME = Date.UTC(2025, 0, 15, 9, 0, 0);
const FAR_FUTURE = Date.UTC(2099, 0, 1);
/** Keep each INSERT well under D1's 100 KB statement limit. */
const MAX_STATEMENT_BYTES = 90_000;
/** Synthetic members per `wrangler d1 execute` (one file, one transaction). */
const MEMBERS_PER_FILE = 200_000;

// ---------------------------------------------------------------------------------------------
// Demo data

interface SeedMember {
  id: string;
  firstName: string;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  cardNumber: string | null;
  points: number;
  iconVersion: number | null;
  createdAt: number;
}

const JOHN: SeedMember = {
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
const DEMO_NAMES: [string, string | null][] = [
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

function demoMembers(): SeedMember[] {
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

/** "412345678" with [3,3,3] -> "412 345 678" */
function fmt(digits: string, groups: number[]): string {
  const out: string[] = [];
  let at = 0;
  for (const g of groups) {
    out.push(digits.slice(at, at + g));
    at += g;
  }
  return out.join(" ");
}

const REWARDS = [
  { id: "rwd_coffee", title: "Free coffee", terms: "Any regular hot drink", kind: "free_product", pointsRequired: 500, variableQuantity: 0, actionLabel: null, value: null, productId: "2001" },
  { id: "rwd_5off", title: "$5 off your order", terms: null, kind: "amount_off", pointsRequired: 1000, variableQuantity: 0, actionLabel: null, value: 500, productId: null },
  { id: "rwd_pay_points", title: "Pay with points", terms: "1 point = 1 cent", kind: "points_payment", pointsRequired: 2000, variableQuantity: 1, actionLabel: "Use points", value: null, productId: null },
  { id: "rwd_cake", title: "Free slice of cake", terms: null, kind: "free_product", pointsRequired: 1500, variableQuantity: 0, actionLabel: null, value: null, productId: "2003" },
  { id: "rwd_20pct", title: "20% off everything", terms: null, kind: "percent_off", pointsRequired: 3000, variableQuantity: 0, actionLabel: null, value: 2000, productId: null },
] as const;

/** Three tiers on points earned over a rolling 12 months; John Smith is held at Gold by hand (for good). */
const TIERS = [
  { id: "tier_demo_bronze", name: "Bronze", threshold: 0, multiplier: 1 },
  { id: "tier_demo_silver", name: "Silver", threshold: 500, multiplier: 1.25 },
  { id: "tier_demo_gold", name: "Gold", threshold: 1000, multiplier: 1.5 },
] as const;

/** A reward only Gold members are offered (and may redeem); not in the demo activity. */
const GOLD_REWARD = {
  id: "rwd_gold_cake", title: "Gold: free slice of cake", terms: "For Gold members", kind: "free_product", pointsRequired: 1000,
  variableQuantity: 0, actionLabel: null, value: null, productId: "2003", minTierId: "tier_demo_gold",
} as const;

// ---------------------------------------------------------------------------------------------
// Local secrets: the demo tokens encrypted as the Worker stores them, and the demo admin API key

/** The admin API key of company 456 in local development only (README curl examples). */
const DEV_ADMIN_KEY = `dev-admin-key-${COMPANY}`;

/** TOKEN_ENCRYPTION_KEYS as `wrangler dev` sees it: .dev.vars, else the example it is copied from. */
function localTokenKeys(): string {
  for (const name of [".dev.vars", ".dev.vars.example"]) {
    const file = path.join(ROOT, name);
    if (!existsSync(file)) continue;
    const line = /^\s*TOKEN_ENCRYPTION_KEYS\s*=\s*(.+?)\s*$/m.exec(readFileSync(file, "utf8"));
    if (line) return line[1]!.replace(/^(["'])(.*)\1$/, "$2");
  }
  throw new Error("no TOKEN_ENCRYPTION_KEYS in .dev.vars or .dev.vars.example");
}

async function connectionStatements(): Promise<string[]> {
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

// ---------------------------------------------------------------------------------------------
// Synthetic members (--members N)

const FIRST_NAMES = `
James John Robert Michael William David Richard Joseph Thomas Charles Christopher Daniel Matthew Anthony
Mark Donald Steven Paul Andrew Joshua Kenneth Kevin Brian George Timothy Ronald Edward Jason Jeffrey Ryan
Jacob Gary Nicholas Eric Jonathan Stephen Larry Justin Scott Brandon Benjamin Samuel Gregory Alexander
Patrick Frank Raymond Jack Dennis Jerry Tyler Aaron Jose Adam Nathan Henry Zachary Douglas Peter Kyle Noah
Ethan Jeremy Walter Christian Keith Roger Terry Austin Sean Gerald Carl Harold Dylan Arthur Lawrence Jordan
Jesse Bryan Billy Bruce Gabriel Joe Logan Alan Juan Albert Willie Elijah Wayne Randy Vincent Mason Roy Ralph
Bobby Russell Bradley Philip Eugene Liam Oliver Lucas Lachlan Cooper Harrison Hudson Archie Leo Oscar
Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy Betty Sandra Margaret
Ashley Kimberly Emily Donna Michelle Carol Amanda Melissa Deborah Stephanie Dorothy Rebecca Sharon Laura
Cynthia Amy Kathleen Angela Shirley Brenda Emma Anna Pamela Nicole Samantha Katherine Christine Helen
Debra Rachel Carolyn Janet Maria Catherine Heather Diane Olivia Julie Joyce Victoria Ruth Virginia Lauren
Kelly Christina Joan Evelyn Judith Andrea Hannah Megan Cheryl Jacqueline Martha Madison Teresa Gloria Sara
Janice Ann Kathryn Abigail Sophia Frances Jean Alice Judy Isabella Julia Grace Amber Denise Danielle Marilyn
Beverly Charlotte Natalie Theresa Diana Brittany Doris Kayla Alexis Lori Marie Amelia Isla Mia Ruby Matilda
Chloe Zoe Ava Harper Willow Ivy Evie Poppy Sienna Georgia
José Zoë Søren Anaïs Chloé Renée François Björn Jürgen Łukasz Małgorzata Inès Maëlle Núria Héctor Émile
Thảo Siobhán Aoife Niamh Ciarán Seán Mateo Sofía Lucía Martín Raúl Ángel Andrés Camila Valentina Tomás
Wei Mei Jun Ying Hao Xin Li Ming Hiroshi Yuki Haruto Sakura Kenji Aiko Min-jun Ji-woo Seo-yeon Minh Linh
Anh Huong Priya Arjun Rahul Ananya Vikram Deepa Sanjay Aisha Fatima Omar Ahmed Yusuf Layla Zainab Hassan
Kwame Ngozi Chidi Amara Tendai Aroha Tane Mere Nikolai Olga Dimitri Eleni Giorgos Giulia Marco Luca Chiara
Francesca Matteo Lars Ingrid Astrid Sven Freya Magnus Piotr Katarzyna Agnieszka Tomasz
`.trim().split(/\s+/);

const LAST_NAMES = `
Smith Jones Williams Brown Wilson Taylor Johnson White Martin Anderson Thompson Nguyen Thomas Walker Harris
Lee Ryan Robinson Kelly King Davis Wright Evans Roberts Green Hall Wood Jackson Clarke Patel Khan Lewis
James Phillips Mitchell Turner Campbell Young Allen Scott Edwards Hill Moore Baker Murphy Cooper Ward Hughes
Morris Clark Parker Adams Bell Stewart Cook Morgan Price Bennett Gray Collins Shaw Watson Murray Griffiths
Russell Hunter Kennedy Reid Ross Graham Fraser Hamilton Sullivan Walsh O'Brien O'Connor O'Neill McDonald
MacDonald McKenzie Mackenzie Henderson Ferguson Cameron Duncan Simpson Matthews Lloyd Marshall Owen Burke
Fitzgerald Byrne Doyle Quinn Brennan Gallagher Dunne Nolan Power Kavanagh Chen Wang Zhang Liu Li Yang Huang
Zhao Wu Zhou Xu Sun Ma Zhu Hu Lin Guo He Kim Park Choi Jung Kang Cho Yoon Jang Lim Tanaka Suzuki Takahashi
Watanabe Ito Yamamoto Nakamura Kobayashi Kato Tran Le Pham Hoang Phan Vu Dang Bui Do Ho Ngo Duong Ly Singh
Kaur Sharma Kumar Gupta Shah Mehta Reddy Rao Iyer Nair Das Bose Ali Ahmed Hussain Rahman Hassan Ibrahim
Haddad Khalil Nasser Mansour Saleh Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco
Bruno Gallo Conti Costa Giordano Papadopoulos Georgiou Nikolaidis Pappas Vlahos Dimitriou Müller Schmidt
Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch Bauer Richter Klein Wolf Schröder
García Martínez López González Rodríguez Fernández Sánchez Pérez Gómez Díaz Álvarez Muñoz Romero Ruiz
Hernández Jiménez Moreno Navarro Dubois Lefèvre Moreau Laurent Simon Michel Leroy Roux David Bertrand
Morel Fournier Girard Bonnet Dupont Lambert Fontaine Rousseau Vincent Côté Gagnon Roy Bouchard Gauthier
Andersson Johansson Karlsson Nilsson Eriksson Larsson Olsen Hansen Jensen Nielsen Kierkegaard Berg Haugen
Kowalski Kowalska Nowak Wiśniewski Wójcik Kamiński Lewandowski Zieliński Szymański Novák Horváth Kovács
Ivanov Petrov Smirnov Popov Sokolov Okafor Mensah Okonkwo Adeyemi Mwangi Ngata Tane Parata Walker-Smith
van der Berg de Jong de Vries van Dijk Bakker Janssen Visser Smit Meijer de la Cruz dos Santos da Silva
`.trim().split(/\n/).flatMap((line) =>
  // Multi-word surnames ("van der Berg", "de la Cruz", "dos Santos") stay together.
  line.match(/(?:(?:van der|van|de la|de|dos|da) \S+)|\S+/g) ?? [],
);

const EMAIL_DOMAINS = ["example.com", "example.net", "example.org", "example.com.au", "mail.example.com"];
const ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";

function randomInt(max: number): number {
  return Math.floor(Math.random() * max);
}

function pick<T>(list: readonly T[]): T {
  return list[randomInt(list.length)]!;
}

function randomId(): string {
  const bytes = randomBytes(16);
  let out = "mem_";
  for (const b of bytes) out += ID_ALPHABET[b % 36];
  return out;
}

function emailLocal(text: string): string {
  return foldText(text).replace(/[^a-z0-9]+/g, "");
}

/** A skewed balance: most members hold a few hundred points, a few thousands. */
function randomPoints(): number {
  const r = Math.random();
  if (r < 0.12) return 0;
  if (r < 0.7) return randomInt(800);
  if (r < 0.93) return 800 + randomInt(2200);
  return 3000 + randomInt(2001);
}

/** Emails and card numbers are unique per company: `taken` spans every file of one run. */
function* syntheticMembers(
  count: number,
  now: number,
  taken: { emails: Set<string>; cards: Set<string> },
): Generator<SeedMember> {
  const { emails, cards } = taken;
  for (let i = 0; i < count; i++) {
    const firstName = pick(FIRST_NAMES);
    const lastName = Math.random() < 0.04 ? null : pick(LAST_NAMES);
    const hasEmail = Math.random() < 0.85;
    let email: string | null = null;
    if (hasEmail) {
      do {
        const style = randomInt(3);
        const first = emailLocal(firstName);
        const last = lastName ? emailLocal(lastName) : "";
        const local = style === 0 && last ? `${first}.${last}` : style === 1 && last ? `${first[0]}${last}` : `${first}${last ? `_${last}` : ""}`;
        email = `${local}${randomInt(100_000)}@${pick(EMAIL_DOMAINS)}`;
      } while (emails.has(email));
      emails.add(email);
    }
    // Every member without an email has a phone; most others too.
    const hasPhone = !hasEmail || Math.random() < 0.8;
    let phone: string | null = null;
    if (hasPhone) {
      const mobile = `4${String(randomInt(100_000_000)).padStart(8, "0")}`;
      const style = randomInt(4);
      phone =
        style === 0 ? `+61 ${fmt(mobile, [3, 3, 3])}` : style === 1 ? `+61${mobile}` : style === 2 ? `0${fmt(mobile, [3, 3, 3])}` : `0${mobile}`;
    }
    let cardNumber: string | null = null;
    if (Math.random() < 0.3) {
      do cardNumber = `6${String(randomInt(1_000_000_000)).padStart(11, "0")}`;
      while (cards.has(cardNumber));
      cards.add(cardNumber);
    }
    yield {
      id: randomId(),
      firstName,
      lastName,
      email,
      phone,
      cardNumber,
      points: randomPoints(),
      iconVersion: null,
      createdAt: now - randomInt(3 * 365) * DAY - randomInt(DAY),
    };
  }
}

// ---------------------------------------------------------------------------------------------
// SQL

function q(value: string | number | null): string {
  if (value === null) return "NULL";
  if (typeof value === "number") return String(value);
  return `'${value.replace(/'/g, "''")}'`;
}

const MEMBER_COLUMNS =
  "id, company_id, first_name, last_name, email, phone, card_number, icon_version, points, status, search_terms, created_at, updated_at";

function memberValues(m: SeedMember): string {
  const email = m.email?.trim().toLowerCase() || null;
  const searchTerms = buildSearchTerms(
    { companyId: COMPANY, firstName: m.firstName, lastName: m.lastName, email, phone: m.phone, cardNumber: m.cardNumber, status: "active" },
    COUNTRY_CODE,
  );
  return `(${[m.id, COMPANY, m.firstName, m.lastName, email, m.phone, m.cardNumber, m.iconVersion, m.points, "active", searchTerms, m.createdAt, m.createdAt].map(q).join(", ")})`;
}

/**
 * The opening-balance ledger row of each listed member that has points and no ledger row yet:
 * members skipped by INSERT OR IGNORE (already there, or an email/card taken) get none, and a
 * member who already has history is left alone, so the balance always equals the ledger's sum.
 * The unary + keeps SQLite on the id index: with a long IN list it would otherwise walk the
 * company's whole part of members_company_created_idx (0.2 s per statement at 100k members).
 */
function openingLedgerStatement(ids: string[]): string {
  return `INSERT OR IGNORE INTO points_ledger (id, company_id, member_id, delta, reason, site_id, actor, note, idempotency_key, created_at)
SELECT 'led_open_' || m.id, m.company_id, m.id, m.points, 'adjustment', ${q(SITE)}, 'seed', 'Opening balance', 'opening:' || m.id, m.created_at
FROM members m
WHERE m.id IN (${ids.map(q).join(", ")}) AND +m.company_id = ${q(COMPANY)} AND m.points > 0
  AND NOT EXISTS (SELECT 1 FROM points_ledger l WHERE l.company_id = m.company_id AND l.member_id = m.id);`;
}

/**
 * Members as multi-row inserts of at most MAX_STATEMENT_BYTES, each followed by its ledger rows.
 * Ids already present are filtered out before the insert (rather than left to OR IGNORE), so a
 * rerun does not even advance the AUTOINCREMENT counter; OR IGNORE still skips a member whose
 * email or card number is taken.
 */
function* memberStatements(members: Iterable<SeedMember>): Generator<string> {
  const head = `INSERT OR IGNORE INTO members (${MEMBER_COLUMNS})\nSELECT * FROM (VALUES\n`;
  const tail = `\n) AS v WHERE NOT EXISTS (SELECT 1 FROM members e WHERE e.id = v.column1);`;
  let rows: string[] = [];
  let ids: string[] = [];
  let bytes = Buffer.byteLength(head) + Buffer.byteLength(tail);
  function* flush(): Generator<string> {
    if (rows.length === 0) return;
    yield `${head}${rows.join(",\n")}${tail}`;
    yield openingLedgerStatement(ids);
    rows = [];
    ids = [];
    bytes = Buffer.byteLength(head) + Buffer.byteLength(tail);
  }
  for (const m of members) {
    const row = memberValues(m);
    const rowBytes = Buffer.byteLength(row) + 2;
    // The ledger statement lists the ids too: keep it under the limit as well (ids are short).
    if (rows.length > 0 && (bytes + rowBytes > MAX_STATEMENT_BYTES || ids.length >= 2000)) yield* flush();
    rows.push(row);
    ids.push(m.id);
    bytes += rowBytes;
  }
  yield* flush();
}

async function demoStatements(members: SeedMember[]): Promise<string[]> {
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

/** Whether the demo company already has the demo activity (scripts/lib/demo-activity.ts). */
async function hasDemoActivity(persistTo: string | undefined): Promise<boolean> {
  const { stdout } = await runWrangler(
    [
      "d1", "execute", "DB", "--local", ...persistArgs(persistTo), "--json", "--command",
      `SELECT count(*) AS n FROM points_ledger WHERE company_id = '${COMPANY}' AND idempotency_key LIKE '${DEMO_ACTIVITY_KEY_PREFIX}%'`,
    ],
    { capture: true },
  );
  const [result] = JSON.parse(stdout.slice(stdout.indexOf("["))) as { results: { n: number }[] }[];
  return (result?.results[0]?.n ?? 0) > 0;
}

const SUMMARY_SQL = `SELECT
  (SELECT count(*) FROM members WHERE company_id = '${COMPANY}') AS members,
  (SELECT count(*) FROM points_ledger WHERE company_id = '${COMPANY}') AS ledger_rows,
  (SELECT count(*) FROM rewards WHERE company_id = '${COMPANY}' AND active = 1) AS rewards,
  (SELECT count(*) FROM members_fts WHERE members_fts MATCH '"${tokenStart(COMPANY, "n")}john"') AS fts_john,
  (SELECT count(*) FROM members m WHERE m.company_id = '${COMPANY}' AND m.points <>
     coalesce((SELECT sum(l.delta) FROM points_ledger l WHERE l.company_id = m.company_id AND l.member_id = m.id), 0)) AS balance_mismatches;`;

interface Summary {
  members: number;
  ledger_rows: number;
  rewards: number;
  fts_john: number;
  balance_mismatches: number;
}

// ---------------------------------------------------------------------------------------------
// Icons: a 300x300 two-tone PNG per member, colours from the member id.

function hashId(id: string): number {
  let h = 2166136261;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  return h >>> 0;
}

function hslToRgb(h: number, s: number, l: number): [number, number, number] {
  const k = (n: number) => (n + h / 30) % 12;
  const a = s * Math.min(l, 1 - l);
  const f = (n: number) => l - a * Math.max(-1, Math.min(k(n) - 3, Math.min(9 - k(n), 1)));
  return [Math.round(f(0) * 255), Math.round(f(8) * 255), Math.round(f(4) * 255)];
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([length, typeAndData, crc]);
}

/** A solid background in the member's colour with a lighter disc in the middle. */
function iconPng(memberId: string, size = 300): Buffer {
  const hue = hashId(memberId) % 360;
  const background = hslToRgb(hue, 0.55, 0.45);
  const disc = hslToRgb(hue, 0.6, 0.8);
  const raw = Buffer.alloc((size * 3 + 1) * size);
  const centre = (size - 1) / 2;
  const radius2 = (size * 0.32) ** 2;
  for (let y = 0; y < size; y++) {
    const rowStart = y * (size * 3 + 1);
    raw[rowStart] = 0; // filter: none
    for (let x = 0; x < size; x++) {
      const inside = (x - centre) ** 2 + (y - centre) ** 2 <= radius2;
      const [r, g, b] = inside ? disc : background;
      const at = rowStart + 1 + x * 3;
      raw[at] = r;
      raw[at + 1] = g;
      raw[at + 2] = b;
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // colour type: RGB
  header[10] = 0; // compression
  header[11] = 0; // filter
  header[12] = 0; // no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk("IHDR", header),
    pngChunk("IDAT", deflateSync(raw, { level: 9 })),
    pngChunk("IEND", Buffer.alloc(0)),
  ]);
}

// ---------------------------------------------------------------------------------------------

function usage(): never {
  console.log(`Usage: npm run seed -- [--members N] [--persist-to DIR]

Seeds the local D1 and KV with the demo company ${COMPANY} (idempotent).
  --members N        also add N synthetic members to company ${COMPANY} (new random ids each run)
  --persist-to DIR   local state directory, passed to wrangler (default: wrangler's .wrangler/state)`);
  process.exit(0);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      members: { type: "string", default: "0" },
      "persist-to": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) usage();
  const extra = Number(values.members);
  if (!Number.isSafeInteger(extra) || extra < 0) throw new Error(`--members must be a whole number, not "${values.members}"`);
  const persistTo = values["persist-to"] ? path.resolve(values["persist-to"]) : undefined;

  const started = performance.now();
  const work = mkdtempSync(path.join(tmpdir(), "kounta-seed-"));
  try {
    // 1. D1: the demo company, then synthetic members in files of MEMBERS_PER_FILE.
    const demo = demoMembers();
    const now = Date.now();
    const files: { file: string; label: string }[] = [];
    const taken = { emails: new Set<string>(), cards: new Set<string>() };
    const demoSql = await demoStatements(demo);
    // Twelve weeks of sales and redemptions for the dashboard, the first time only.
    const activity = (await hasDemoActivity(persistTo))
      ? []
      : demoActivityStatements({ company: COMPANY, site: SITE, members: demo.filter((m) => m !== JOHN), rewards: REWARDS, now, q });
    demoSql.push(...activity);
    let remaining = extra;
    let part = 0;
    do {
      const batch = Math.min(remaining, MEMBERS_PER_FILE);
      const statements = part === 0 ? [...demoSql] : [];
      for (const s of memberStatements(syntheticMembers(batch, now, taken))) statements.push(s);
      remaining -= batch;
      if (remaining === 0) statements.push(SUMMARY_SQL);
      const file = path.join(work, `seed-${part}.sql`);
      writeFileSync(file, statements.join("\n") + "\n");
      files.push({ file, label: part === 0 ? `demo data${batch ? ` + ${batch} members` : ""}` : `${batch} members` });
      part++;
    } while (remaining > 0);
    const generatedMs = performance.now() - started;

    let summary: Summary | undefined;
    for (const [i, { file, label }] of files.entries()) {
      const t = performance.now();
      const { stdout } = await runWrangler(
        ["d1", "execute", "DB", "--local", ...persistArgs(persistTo), "--file", file, "--json"],
        { capture: true },
      );
      const results = JSON.parse(stdout.slice(stdout.indexOf("["))) as { results: unknown[] }[];
      if (i === files.length - 1) summary = results.at(-1)?.results[0] as Summary | undefined;
      console.log(`  D1: ${label}: ${results.length} statements in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    }

    // 2. KV: icons for the demo members that have one. Only missing keys are written, so a second
    //    run changes nothing (and an icon replaced since is kept).
    const withIcons = demo.filter((m) => m.iconVersion !== null);
    const listed = await runWrangler(
      ["kv", "key", "list", "--binding", "CACHE", "--local", ...persistArgs(persistTo), "--prefix", cacheKeys.memberIcon(COMPANY, "")],
      { capture: true },
    );
    const existing = new Set(
      (JSON.parse(listed.stdout.slice(listed.stdout.indexOf("["))) as { name: string }[]).map((k) => k.name),
    );
    const missingIcons = withIcons.filter((m) => !existing.has(cacheKeys.memberIcon(COMPANY, m.id)));
    if (missingIcons.length > 0) {
      const bulkFile = path.join(work, "icons.json");
      writeFileSync(
        bulkFile,
        JSON.stringify(
          missingIcons.map((m) => ({
            key: cacheKeys.memberIcon(COMPANY, m.id),
            value: iconPng(m.id).toString("base64"),
            base64: true,
            metadata: { contentType: "image/png" },
          })),
        ),
      );
      await runWrangler(["kv", "bulk", "put", bulkFile, "--binding", "CACHE", "--local", ...persistArgs(persistTo)], {
        capture: true,
      });
    }

    const seconds = (performance.now() - started) / 1000;
    console.log(`Seeded company ${COMPANY} "Demo Café" (site ${SITE}) into ${persistTo ?? "the default local state (.wrangler/state)"}`);
    console.log(`  admin API key (local only): ${DEV_ADMIN_KEY}`);
    if (activity.length > 0) console.log(`  demo activity: ${DEMO_ACTIVITY_WEEKS} weeks of sales and redemptions up to today (written once)`);
    console.log(`  demo: ${demo.length} members (John Smith = ${JOHN.id}, Kounta customer 789), ${REWARDS.length + 1} rewards (one for Gold), ${TIERS.length} tiers, ${withIcons.length} icons in KV (${missingIcons.length} written now)`);
    if (extra > 0) console.log(`  synthetic: ${extra} members with random ids (SQL generated in ${(generatedMs / 1000).toFixed(1)} s)`);
    if (summary) {
      console.log(
        `  now: ${summary.members} members, ${summary.ledger_rows} ledger rows, ${summary.rewards} active rewards; ` +
          `FTS "${tokenStart(COMPANY, "n")}john" -> ${summary.fts_john} members; balance != ledger sum: ${summary.balance_mismatches}`,
      );
      if (summary.fts_john < 1) throw new Error("the member search index is empty: did the members_fts triggers run?");
      if (summary.balance_mismatches > 0) throw new Error(`${summary.balance_mismatches} members' balance differs from their ledger`);
    }
    console.log(`Done in ${seconds.toFixed(1)} s`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  console.error(`seed failed: ${message}`);
  if (message.includes("no such table")) {
    console.error("The local database has no tables yet: run `npm run db:migrate:local` (with the same --persist-to) first.");
  }
  process.exit(1);
});
