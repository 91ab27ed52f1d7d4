import type { LedgerRow, RedemptionListRow } from "../../loyalty/ledger/ledger-queries";
import type { Page } from "../../loyalty/listing";
import { count, dateTime } from "../format";
import { actorLabel, reasonLabels, redemptionStatusLabels, redemptionValue } from "./activity-labels";

// A member's history: the ledger (every change of the balance) and the redemptions, newest first,
// a page at a time (the cursor in the address: ?ledger=... and ?redemptions=...).

const signed = (n: number) => (n > 0 ? `+${count(n)}` : count(n));

function where(siteId: string | null, orderId: string | null): string {
  const parts = [siteId ? `Site ${siteId}` : null, orderId ? `order ${orderId}` : null].filter(Boolean);
  return parts.join(", ");
}

/**
 * The newest page, and the next older one if there is. `base` is the member's page with the other
 * list's cursor on it, so paging one list keeps the other where it was.
 */
function Pager(props: { base: string; param: string; cursor: string | undefined; next: string | null; label: string }) {
  if (!props.cursor && !props.next) return null;
  const joiner = props.base.includes("?") ? "&" : "?";
  return (
    <nav class="pager" aria-label={props.label}>
      {props.cursor ? <a href={props.base}>Newest</a> : <span></span>}
      {props.next ? <a href={`${props.base}${joiner}${props.param}=${encodeURIComponent(props.next)}`}>Older</a> : null}
    </nav>
  );
}

export function LedgerTable(props: { page: Page<LedgerRow>; base: string; cursor: string | undefined; pointsLabel: string }) {
  const { page, pointsLabel } = props;
  return (
    <>
      {page.data.length === 0 ? (
        <p class="muted">{props.cursor ? "No older changes." : `No change of ${pointsLabel} yet.`}</p>
      ) : (
        <div class="table-wrap" tabindex={0}>
          <table data-table="ledger">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">What</th>
                <th scope="col" class="num">
                  {pointsLabel}
                </th>
                <th scope="col">Note</th>
                <th scope="col">By</th>
                <th scope="col">Where</th>
              </tr>
            </thead>
            <tbody>
              {page.data.map((row) => (
                <tr data-ledger={row.id}>
                  <td>{dateTime(row.created_at)}</td>
                  <td>{reasonLabels[row.reason]}</td>
                  <td class="num">{signed(row.delta)}</td>
                  <td>{row.note ?? ""}</td>
                  <td>{actorLabel(row.actor)}</td>
                  <td>{where(row.site_id, row.order_id)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager base={props.base} param="ledger" cursor={props.cursor} next={page.next_cursor} label="History pages" />
    </>
  );
}

/** What a redemption was worth: money off (cents), a percentage (basis points), nothing for a free product. */

export function RedemptionTable(props: {
  page: Page<RedemptionListRow>;
  base: string;
  cursor: string | undefined;
  pointsLabel: string;
  currency: string;
  rewardTitles: Map<string, string>;
}) {
  const { page, pointsLabel } = props;
  return (
    <>
      {page.data.length === 0 ? (
        <p class="muted">{props.cursor ? "No older redemptions." : "No reward redeemed yet."}</p>
      ) : (
        <div class="table-wrap" tabindex={0}>
          <table data-table="redemptions">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Reward</th>
                <th scope="col" class="num">
                  {pointsLabel}
                </th>
                <th scope="col">Value</th>
                <th scope="col">Status</th>
                <th scope="col">Where</th>
              </tr>
            </thead>
            <tbody>
              {page.data.map((row) => (
                <tr data-redemption={row.id}>
                  <td>{dateTime(row.created_at)}</td>
                  <td>{props.rewardTitles.get(row.reward_id) ?? row.reward_id}</td>
                  <td class="num">{count(row.points)}</td>
                  <td>{redemptionValue(row, props.currency)}</td>
                  <td>
                    <span class={`badge ${row.status}`}>{redemptionStatusLabels[row.status]}</span>
                    {row.status === "failed" && row.failure_reason ? <span class="muted"> {row.failure_reason}</span> : null}
                  </td>
                  <td>{where(row.site_id, row.order_id)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager base={props.base} param="redemptions" cursor={props.cursor} next={page.next_cursor} label="Redemption pages" />
    </>
  );
}
