import type { Context } from "hono";
import type { TierLevel } from "../../loyalty/tiers/tiers";
import type { Company, Reward } from "../../storage/schema";
import type { DashboardEnv } from "../env";
import { count } from "../format";
import { PostForm } from "../forms";
import { Layout } from "../layout";
import { kindNames, rewardGives } from "./reward-kinds";

// GET /dashboard/rewards: every reward, active or not, in the order the POS lists them, with the
// buttons that move one up or down (each posts the whole new order, as PUT /rewards/order takes it).

type Ctx = Context<DashboardEnv>;

/** The order with the reward at `from` moved to `to`. */
function moved(ids: string[], from: number, to: number): string[] {
  const order = [...ids];
  const [id] = order.splice(from, 1);
  order.splice(to, 0, id!);
  return order;
}

function MoveButton(props: { c: Ctx; order: string[]; reward: Reward; direction: "up" | "down" }) {
  const { c, order, reward, direction } = props;
  return (
    <PostForm c={c} action="/dashboard/rewards/order" class="inline">
      {order.map((id) => (
        <input type="hidden" name="ids" value={id} />
      ))}
      <button type="submit" class="secondary" aria-label={`Move ${reward.title} ${direction}`}>
        {direction === "up" ? "↑ Up" : "↓ Down"}
      </button>
    </PostForm>
  );
}

function RewardRowActions(props: { c: Ctx; ids: string[]; index: number; reward: Reward }) {
  const { c, ids, index, reward } = props;
  const path = `/dashboard/rewards/${encodeURIComponent(reward.id)}`;
  return (
    <div class="actions">
      <a href={path}>Edit</a>
      {index > 0 ? <MoveButton c={c} order={moved(ids, index, index - 1)} reward={reward} direction="up" /> : null}
      {index < ids.length - 1 ? <MoveButton c={c} order={moved(ids, index, index + 1)} reward={reward} direction="down" /> : null}
      {reward.active ? (
        <PostForm
          c={c}
          action={`${path}/deactivate`}
          class="inline"
          confirm={`Take “${reward.title}” off the POS? Its history stays, and you can bring it back later.`}
        >
          <button type="submit" class="danger">
            Deactivate
          </button>
        </PostForm>
      ) : (
        <PostForm c={c} action={`${path}/reactivate`} class="inline">
          <button type="submit" class="secondary">
            Reactivate
          </button>
        </PostForm>
      )}
    </div>
  );
}

export function RewardListPage(props: { c: Ctx; settings: Company; rewards: Reward[]; tiers: TierLevel[]; notice: string | null; problem?: string }) {
  const { c, settings, rewards } = props;
  const tierNames = new Map(props.tiers.map((t) => [t.id, t.name]));
  const ids = rewards.map((r) => r.id);
  const label = settings.pointsLabel;
  return (
    <Layout c={c} section="Rewards" title="Rewards" notice={props.notice}>
      {props.problem ? (
        <p class="notice bad" role="alert">
          {props.problem}
        </p>
      ) : null}
      <p>The POS offers the active rewards in this order. A member sees those they have enough {label} for, then the next few they are saving toward.</p>
      <p>
        <a class="button" href="/dashboard/rewards/new">
          Add a reward
        </a>
      </p>
      {rewards.length === 0 ? (
        <p class="muted">There are no rewards yet.</p>
      ) : (
        <div class="table-wrap" tabindex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">Reward</th>
                <th scope="col">Kind</th>
                <th scope="col">Gives</th>
                <th scope="col" class="num">
                  {label}
                </th>
                <th scope="col">Status</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {rewards.map((reward, index) => (
                <tr data-reward={reward.id}>
                  <td>
                    <a href={`/dashboard/rewards/${encodeURIComponent(reward.id)}`}>{reward.title}</a>
                    {reward.terms ? <div class="muted">{reward.terms}</div> : null}
                    {reward.minTierId ? (
                      <div class="muted" data-reward-tier>
                        {tierNames.has(reward.minTierId)
                          ? `For ${tierNames.get(reward.minTierId)} members and above`
                          : "For a tier that was removed: no member is offered it"}
                      </div>
                    ) : null}
                  </td>
                  <td>{kindNames[reward.kind].name}</td>
                  <td data-gives>{rewardGives(reward, settings.currency)}</td>
                  <td class="num">{reward.kind === "points_payment" ? `up to ${count(reward.pointsRequired)}` : count(reward.pointsRequired)}</td>
                  <td>{reward.active ? <span class="badge active">Active</span> : <span class="badge inactive">Inactive</span>}</td>
                  <td>
                    <RewardRowActions c={c} ids={ids} index={index} reward={reward} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Layout>
  );
}
