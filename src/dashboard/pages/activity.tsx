import { Hono } from "hono";
import type { Context } from "hono";
import { listLedger, listRedemptions } from "../../loyalty/ledger/ledger-queries";
import { memberLabels } from "../../loyalty/members/member-names";
import { listRewards } from "../../loyalty/rewards/reward-admin";
import { getSettings } from "../../loyalty/settings";
import type { DashboardEnv } from "../env";
import { render } from "../layout";
import { activityFlagRoutes } from "./activity-flags";
import { activityMessageRoutes } from "./activity-messages";
import { csvFileName, ledgerCsv, redemptionsCsv, type ExportContext } from "./activity-export";
import { readActivityQuery, type ActivityQuery } from "./activity-filters";
import { ActivityPage } from "./activity-view";

// Activity: the company's redemptions and ledger, filtered by date (and status, for redemptions)
// with the admin API's list queries, a page at a time; and the same rows as CSV downloads. The
// suspicious activity (flags) and the messages to members have pages of their own:
// activity-flags.tsx, activity-messages.tsx.

export const activityRoutes = new Hono<DashboardEnv>();

const PAGE_SIZE = 25;
const EXPORT_CHUNK = 200;

/** The page with the filters refused: what was typed, the message next to each field, no rows. */
function refused(c: Context<DashboardEnv>, q: ActivityQuery) {
  return render(c, <ActivityPage c={c} form={{ values: q.values, errors: q.errors }} cursors={{}} data={null} />, 400);
}

/** What the lists and downloads need of the company: its points label, currency and reward titles. */
async function companyContext(c: Context<DashboardEnv>): Promise<ExportContext> {
  const { db } = c.get("services");
  const companyId = c.get("session").companyId;
  const [settings, rewards] = await Promise.all([getSettings(db, companyId), listRewards(db, companyId)]);
  return {
    db,
    companyId,
    pointsLabel: settings?.pointsLabel || "Points",
    currency: settings?.currency ?? "AUD",
    rewardTitles: new Map(rewards.map((r) => [r.id, r.title])),
  };
}

activityRoutes.get("/activity", async (c) => {
  const query = c.req.query();
  const q = readActivityQuery(query, PAGE_SIZE);
  if (!q.redemptions || !q.ledger) return refused(c, q);
  const ctx = await companyContext(c);
  const scope = { companyId: ctx.companyId };
  const [redemptions, ledger] = await Promise.all([listRedemptions(ctx.db, scope, q.redemptions), listLedger(ctx.db, scope, q.ledger)]);
  const members = await memberLabels(
    ctx.db,
    ctx.companyId,
    [...redemptions.data, ...ledger.data].map((r) => r.member_id),
  );
  const data = { redemptions, ledger, members, rewardTitles: ctx.rewardTitles, pointsLabel: ctx.pointsLabel, currency: ctx.currency };
  return render(c, <ActivityPage c={c} form={{ values: q.values, errors: {} }} cursors={{ rcursor: query.rcursor, lcursor: query.lcursor }} data={data} />);
});

async function download(c: Context<DashboardEnv>, kind: "ledger" | "redemptions") {
  // The filters only: a download always starts from the newest row.
  const { from, to, status } = c.req.query();
  const filters = Object.fromEntries(Object.entries({ from, to, status }).filter(([, v]) => v !== undefined)) as Record<string, string>;
  const q = readActivityQuery(filters, EXPORT_CHUNK);
  if (!q.redemptions || !q.ledger) return refused(c, q);
  const ctx = await companyContext(c);
  const file = kind === "ledger" ? await ledgerCsv(ctx, q.ledger) : await redemptionsCsv(ctx, q.redemptions);
  const name = csvFileName(kind, kind === "ledger" ? { from, to } : { from, to, status }, file);
  return new Response(new Blob(file.body), {
    status: 200,
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${name}"`,
      "Cache-Control": "no-store",
      "X-Content-Type-Options": "nosniff",
    },
  });
}

activityRoutes.route("/", activityFlagRoutes);
activityRoutes.route("/", activityMessageRoutes);
activityRoutes.get("/activity/ledger.csv", (c) => download(c, "ledger"));
activityRoutes.get("/activity/redemptions.csv", (c) => download(c, "redemptions"));
