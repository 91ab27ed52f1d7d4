import { count, shortDay } from "../format";

// Points earned vs redeemed per week, as an SVG drawn on the server (no script, no library), with
// the same figures in a table for screen readers and for anyone who wants the numbers.

const W = 640;
const H = 220;
const PAD = { top: 12, right: 8, bottom: 28, left: 48 };

function niceMax(n: number): number {
  if (n <= 0) return 10;
  const step = 10 ** Math.floor(Math.log10(n));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * step >= n) return m * step;
  return 10 * step;
}

export function WeeklyChart(props: { weeks: Array<{ start: string; earned: number; redeemed: number }>; pointsLabel: string }) {
  const { weeks } = props;
  const max = niceMax(Math.max(0, ...weeks.flatMap((w) => [w.earned, w.redeemed])));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, weeks.length);
  const bar = Math.max(2, slot * 0.36);
  const y = (v: number) => PAD.top + plotH - (v / max) * plotH;
  const ticks = [0, max / 2, max];
  return (
    <figure class="card">
      <svg class="chart" viewBox={`0 0 ${W} ${H}`} role="img" aria-labelledby="chart-title chart-desc">
        <title id="chart-title">{`${props.pointsLabel} earned and redeemed per week`}</title>
        <desc id="chart-desc">{`Bars for the last ${weeks.length} weeks; the table below has the same figures.`}</desc>
        {ticks.map((t) => (
          <g>
            <line x1={PAD.left} x2={W - PAD.right} y1={y(t)} y2={y(t)} stroke="#d9dde4" />
            <text x={PAD.left - 6} y={y(t) + 4} text-anchor="end">
              {count(t)}
            </text>
          </g>
        ))}
        {weeks.map((w, i) => {
          const x = PAD.left + i * slot + (slot - 2 * bar) / 2;
          return (
            <g>
              <rect class="earned" x={x} y={y(w.earned)} width={bar} height={Math.max(0, PAD.top + plotH - y(w.earned))} />
              <rect class="redeemed" x={x + bar} y={y(w.redeemed)} width={bar} height={Math.max(0, PAD.top + plotH - y(w.redeemed))} />
              {i % 2 === weeks.length % 2 ? null : (
                <text x={x + bar} y={H - 8} text-anchor="middle">
                  {shortDay(w.start)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <ul class="legend" aria-hidden="true">
        <li>
          <span class="earned"></span>Earned
        </li>
        <li>
          <span class="redeemed"></span>Redeemed
        </li>
      </ul>
      <details>
        <summary>The figures</summary>
        <div class="table-wrap" tabindex={0}>
          <table>
            <thead>
              <tr>
                <th scope="col">Week from</th>
                <th scope="col" class="num">
                  Earned
                </th>
                <th scope="col" class="num">
                  Redeemed
                </th>
              </tr>
            </thead>
            <tbody>
              {weeks.map((w) => (
                <tr>
                  <td>{shortDay(w.start)}</td>
                  <td class="num">{count(w.earned)}</td>
                  <td class="num">{count(w.redeemed)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
