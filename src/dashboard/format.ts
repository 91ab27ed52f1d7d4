// How the dashboard writes numbers, dates and times (UTC, as the figures are counted).

const whole = new Intl.NumberFormat("en");

export const count = (n: number) => whole.format(n);

/** "3 Dec 2026, 09:41 UTC" */
export function dateTime(ms: number): string {
  const d = new Date(ms);
  const date = d.toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
  return `${date}, ${d.toISOString().slice(11, 16)} UTC`;
}

/** "3 Dec" from "2026-12-03" */
export function shortDay(isoDay: string): string {
  return new Date(`${isoDay}T00:00:00Z`).toLocaleDateString("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });
}

export function memberName(first: string, last: string | null): string {
  return last ? `${first} ${last}` : first;
}

/** "3 Dec 2026" (the UTC day of a time). */
export function dayOf(ms: number): string {
  return new Date(ms).toLocaleDateString("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
}
