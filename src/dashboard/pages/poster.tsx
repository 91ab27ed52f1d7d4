import { Hono } from "hono";
import { raw } from "hono/html";
import { publicOrigin } from "../../kounta/origin";
import { getSettings } from "../../loyalty/settings";
import { qrCodeSvg } from "../../lib/barcodes";
import type { DashboardEnv } from "../env";
import { Document, render } from "../layout";

// GET /dashboard/poster: a printable poster for the counter (A4 or A5, ?size=a5): the programme's
// name, a QR code of the join page's address, one line of text, and the address printed under the
// code for those who type it. The page's own links and notes are left out of the print.

export type PosterSize = "a4" | "a5";

/** The join page of a company, as the poster's QR code holds it. */
export const joinUrlOf = (origin: string, companyId: string) => `${origin}/join/${encodeURIComponent(companyId)}`;

export const posterRoutes = new Hono<DashboardEnv>().get("/poster", async (c) => {
  const companyId = c.get("session").companyId;
  const settings = await getSettings(c.get("services").db, companyId);
  // A session exists only for a company that exists (its row is never deleted).
  if (!settings) throw new Error("signed-in company has no row");
  const size: PosterSize = c.req.query("size") === "a5" ? "a5" : "a4";
  const joinUrl = joinUrlOf(publicOrigin(c), companyId);
  const qr = qrCodeSvg(joinUrl, { label: `QR code of the join page, ${joinUrl}` });
  return render(
    c,
    <Document title={`Poster · ${settings.name} · Loyalty`}>
      <header class="poster-tools">
        <p>
          <a href="/dashboard/programme">Back to the programme</a>
        </p>
        <p>
          Print this page (your browser's Print, or Ctrl+P) and put it up at the counter. Size:{" "}
          <a href="/dashboard/poster" aria-current={size === "a4" ? "page" : undefined}>
            A4
          </a>{" "}
          ·{" "}
          <a href="/dashboard/poster?size=a5" aria-current={size === "a5" ? "page" : undefined}>
            A5
          </a>
        </p>
        {settings.selfEnrol ? null : (
          <p class="notice warn" role="status">
            Customers cannot join themselves at the moment: the join page tells them to ask at the counter. Turn on "Customers can join
            themselves" on the <a href="/dashboard/programme">Programme</a> page first.
          </p>
        )}
      </header>
      <main class={`poster ${size}`} aria-label="Poster">
        <h1 class="poster-title">{settings.name}</h1>
        <p class="poster-line">
          Scan to join our loyalty programme: collect {settings.pointsLabel} and see them on your phone.
        </p>
        <div class="poster-qr">{raw(qr)}</div>
        <p class="poster-url">{joinUrl}</p>
      </main>
    </Document>,
  );
});
