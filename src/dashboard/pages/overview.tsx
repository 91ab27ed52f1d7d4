import { Hono } from "hono";
import { formatMoney } from "../../lib/money";
import { getSettings } from "../../loyalty/settings";
import { readOverview } from "../../loyalty/stats/overview";
import type { DashboardEnv } from "../env";
import { count, dateTime } from "../format";
import { Layout, render } from "../layout";
import { WeeklyChart } from "./chart";

// GET /dashboard: the figures a café owner looks at, from the running totals (src/loyalty/stats):
// a bounded number of rows whatever the company's size.

export const overviewRoutes = new Hono<DashboardEnv>().get("/", async (c) => {
  const { db } = c.get("services");
  const companyId = c.get("session").companyId;
  const [overview, settings] = await Promise.all([readOverview(db, companyId), getSettings(db, companyId)]);
  const currency = settings?.currency ?? "AUD";
  const label = settings?.pointsLabel ?? "Points";
  const o = overview;
  return render(
    c,
    <Layout c={c} section="Overview" title="Overview">
      <h2>Members</h2>
      <dl class="figures">
        <div class="figure">
          <dt>Members</dt>
          <dd data-figure="members-total">{count(o.members.total)}</dd>
        </div>
        <div class="figure">
          <dt>Active in the last 30 days</dt>
          <dd data-figure="members-active">{count(o.members.active30d)}</dd>
        </div>
        <div class="figure">
          <dt>New this month</dt>
          <dd data-figure="members-new">{count(o.members.newThisMonth)}</dd>
        </div>
      </dl>
      <h2>{label}</h2>
      <dl class="figures">
        <div class="figure">
          <dt>{label} outstanding</dt>
          <dd data-figure="points-outstanding">{count(o.points.outstanding)}</dd>
        </div>
        <div class="figure">
          <dt>What they are worth</dt>
          <dd data-figure="liability">{formatMoney(o.points.liabilityCents, currency)}</dd>
        </div>
        <div class="figure">
          <dt>Redemptions this month</dt>
          <dd data-figure="redemptions-month">{count(o.redemptionsThisMonth)}</dd>
        </div>
      </dl>
      <p class="muted">
        What they are worth: every member's balance at {formatMoney(o.points.pointValueCents, currency)} a point, what the programme owes its
        members. Months and weeks are counted in UTC.
      </p>
      <h2>Earned and redeemed, last 12 weeks</h2>
      <WeeklyChart weeks={o.weeks} pointsLabel={label} />
      <div class="grid2">
        <section>
          <h2>Top rewards this month</h2>
          {o.topRewards.length === 0 ? (
            <p class="muted">No reward has been redeemed this month yet.</p>
          ) : (
            <div class="table-wrap" tabindex={0}>
              <table>
                <thead>
                  <tr>
                    <th scope="col">Reward</th>
                    <th scope="col" class="num">
                      Redemptions
                    </th>
                    <th scope="col" class="num">
                      {label}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {o.topRewards.map((r) => (
                    <tr>
                      <td>
                        <a href={`/dashboard/rewards/${encodeURIComponent(r.rewardId)}`}>{r.title}</a>
                      </td>
                      <td class="num">{count(r.redemptions)}</td>
                      <td class="num">{count(r.points)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
        <section>
          <h2>Needing attention</h2>
          {o.pending.count === 0 ? (
            <p class="muted">No redemption is waiting for Kounta.</p>
          ) : (
            <>
              <p>
                {count(o.pending.count)} redemption{o.pending.count === 1 ? " is" : "s are"} still waiting for Kounta to confirm: their points are held and
                settle by themselves within minutes; one that stays here for hours means Kounta could not be reached. (
                <a href="/dashboard/activity?status=pending">All pending</a>)
              </p>
              <div class="table-wrap" tabindex={0}>
                <table>
                  <thead>
                    <tr>
                      <th scope="col">When</th>
                      <th scope="col">Member</th>
                      <th scope="col">Reward</th>
                      <th scope="col">Order</th>
                    </tr>
                  </thead>
                  <tbody>
                    {o.pending.oldest.map((p) => (
                      <tr>
                        <td>{dateTime(p.createdAt)}</td>
                        <td>
                          <a href={`/dashboard/members/${encodeURIComponent(p.memberId)}`}>{p.memberName}</a>
                        </td>
                        <td>{p.rewardTitle}</td>
                        <td>{p.orderId}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )}
        </section>
      </div>
    </Layout>,
  );
});
