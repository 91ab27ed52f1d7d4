// Plays the POS against the running dev server (`npm run dev` in another terminal): searches for
// John Smith, opens his rewards, redeems one on an order, shows the order as the local Kounta
// stand-in now holds it and John's new balance, then completes the sale and shows the points he
// earned arrive (Kounta's orders/completed webhook, delivered by the stand-in).
//
//   npm run demo [-- --reward rwd_coffee] [-- --order 4242] [-- --base http://localhost:8787]

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};

const base = option("base", "http://localhost:8787");
const kountaBase = option("kounta", "http://localhost:8788");
const addonKey = option("key", "local-dev-key");
const rewardId = option("reward", "rwd_coffee");
const orderId = option("order", String(100000 + Math.floor(Math.random() * 900000)));
const company = "456";
const site = "123";

async function get(url: string): Promise<{ status: number; body: any; timing: string | null }> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(15_000) });
  } catch {
    console.error(`\nCould not reach ${new URL(url).origin}. Start the dev server first: npm run dev`);
    process.exit(1);
  }
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, body, timing: res.headers.get("server-timing") };
}

function step(title: string) {
  console.log(`\n=== ${title}`);
}

function show(label: string, value: unknown) {
  console.log(`${label}: ${typeof value === "string" ? value : JSON.stringify(value, null, 2)}`);
}

step(`1. The cashier searches for "John Smith"`);
const searchUrl = `${base}/kounta/${addonKey}/customer-search?keyword=${encodeURIComponent("John Smith")}&site_id=${site}&company_id=${company}&order_id=111`;
console.log(`GET ${searchUrl.replace(addonKey, "<add-on key>")}`);
const search = await get(searchUrl);
show(`HTTP ${search.status}`, search.body);
const john = Object.values((search.body?.members ?? {}) as Record<string, any>)[0];
if (!john) {
  console.error("John Smith was not found: is the demo data seeded? (npm run dev seeds it)");
  process.exit(1);
}

step(`2. The cashier opens ${john.first_name}'s rewards (Kounta customer 789, order placeholder 111)`);
const lookupUrl = `${base}/kounta/${addonKey}/reward-lookup?customer_id=789&reference_id=${john.id}&site_id=${site}&company_id=${company}&order_id=111`;
const lookup = await get(lookupUrl);
console.log(`HTTP ${lookup.status}, Server-Timing: ${lookup.timing}`);
const shown = lookup.body.member ?? {};
console.log(`${shown.first_name}: ${shown.current_points} ${shown.points_label}, tier ${shown.params?.Tier ?? "none"}; intro_text "${shown.intro_text ?? ""}"`);
for (const r of lookup.body.rewards ?? []) {
  console.log(`- ${r.id}: ${r.title} (${r.points_required} ${r.points_label})${r.terms ? ` - ${r.terms}` : ""}`);
}
const reward = (lookup.body.rewards ?? []).find((r: any) => r.id === rewardId);
if (!reward) {
  console.error(`Reward ${rewardId} is not offered to ${john.first_name}.`);
  process.exit(1);
}

step(`3. Kounta calls the redeem_url of "${reward.title}" with the real order id ${orderId}`);
let redeemUrl: string = reward.redeem_url.replace("order_id=111", `order_id=${orderId}`);
if (reward.variable_quantity) redeemUrl += `&quantity=${Math.min(100, reward.points_required)}`;
console.log(`GET ${redeemUrl}`);
const redemption = await get(redeemUrl);
show(`HTTP ${redemption.status}, Server-Timing: ${redemption.timing}`, redemption.body);

step(`4. The order as Kounta (the local stand-in) now holds it`);
const order = await get(`${kountaBase}/_stand-in/orders/${company}/${orderId}`);
if (order.status !== 200) {
  show(`HTTP ${order.status}`, order.body);
} else {
  for (const line of order.body.lines ?? []) {
    console.log(`- line ${line.number}: ${line.quantity} x ${line.product?.name} at ${line.unit_price} (variation ${line.price_variation})${line.notes ? `  [${line.notes}]` : ""}`);
  }
  for (const payment of order.body.payments ?? []) {
    console.log(`- payment: ${payment.amount} by ${payment.method?.name} (ref ${payment.ref})`);
  }
  console.log(`total ${order.body.total}, paid ${order.body.paid}, status ${order.body.status}`);
}

step(`5. ${john.first_name}'s balance`);
const after = await get(lookupUrl);
console.log(`${john.current_points} -> ${after.body.member?.current_points} ${after.body.member?.points_label}`);

step(`6. The cashier completes the sale (Kounta order ${orderId} for customer 789)`);
const completed = await fetch(`${kountaBase}/v1/companies/${company}/orders/${orderId}.json`, {
  method: "PUT",
  headers: { Authorization: "Bearer dev-access-token-456", "Content-Type": "application/json", Accept: "application/json" },
  body: JSON.stringify({ status: "COMPLETE", customer_id: 789 }),
});
console.log(`PUT order status COMPLETE: HTTP ${completed.status}`);
let earned = after.body.member?.current_points;
for (let i = 0; i < 20 && earned === after.body.member?.current_points; i++) {
  await new Promise((resolve) => setTimeout(resolve, 250));
  earned = (await get(lookupUrl)).body.member?.current_points;
}
console.log(`Kounta delivered orders/completed; ${john.first_name} now has ${earned} ${after.body.member?.points_label} (was ${after.body.member?.current_points})`);
