import type { Child } from "hono/jsx";
import type { Context } from "hono";
import { assetPaths } from "./assets";
import type { DashboardEnv } from "./env";

// The frame of every dashboard page: header with the company and sign-out, the navigation, the
// notice of what was just done. Responses carry a Content-Security-Policy that allows only our own
// stylesheet and script (no inline code), and are never cached.

export const pageHeaders: Record<string, string> = {
  "Cache-Control": "no-store",
  "Content-Security-Policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "Referrer-Policy": "same-origin",
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
};

export const sections = [
  { path: "/dashboard", label: "Overview" },
  { path: "/dashboard/members", label: "Members" },
  { path: "/dashboard/rewards", label: "Rewards" },
  { path: "/dashboard/programme", label: "Programme" },
  { path: "/dashboard/import", label: "Import" },
  { path: "/dashboard/activity", label: "Activity" },
  { path: "/dashboard/connection", label: "Connection" },
] as const;

export type Section = (typeof sections)[number]["label"];

/** A fixed sentence for `?done=<key>` after a change (never text taken from the address). */
export type Notices = Record<string, string>;

export function Document(props: { title: string; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{props.title}</title>
        <link rel="stylesheet" href={assetPaths.css} />
        <script src={assetPaths.js} defer></script>
      </head>
      <body>{props.children}</body>
    </html>
  );
}

export function Layout(props: { c: Context<DashboardEnv>; section: Section; title: string; notice?: string | null; children: Child }) {
  const { c, section } = props;
  const companyName = c.get("companyName");
  return (
    <Document title={`${props.title} · ${companyName} · Loyalty`}>
      <a class="skip" href="#content">
        Skip to content
      </a>
      <header class="top">
        <span>
          <span class="company">{companyName}</span> <span class="muted">· Loyalty dashboard</span>
          {c.get("session").manager ? (
            <>
              {" "}
              <a class="badge manager" href="/dashboard/programme#manager" data-figure="manager-mode">
                Manager mode
              </a>
            </>
          ) : null}
        </span>
        <form method="post" action="/dashboard/sign-out" class="inline">
          <CsrfField c={c} />
          <button type="submit" class="secondary">
            Sign out
          </button>
        </form>
      </header>
      <nav class="main" aria-label="Dashboard">
        <ul>
          {sections.map((s) => (
            <li>
              <a href={s.path} aria-current={s.label === section ? "page" : undefined}>
                {s.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <main id="content">
        <h1>{props.title}</h1>
        {props.notice ? (
          <p class="notice good" role="status">
            {props.notice}
          </p>
        ) : null}
        {props.children}
      </main>
    </Document>
  );
}

/** The per-session token every form carries (checked by requireSameOriginForm in ./session.ts). */
export function CsrfField(props: { c: Context<DashboardEnv> }) {
  return <input type="hidden" name="_csrf" value={props.c.get("session").csrfToken} />;
}

/** The notice for `?done=` from the page's own list, or none. */
export function noticeFor(c: Context<DashboardEnv>, notices: Notices): string | null {
  const done = c.req.query("done");
  return done !== undefined && Object.hasOwn(notices, done) ? notices[done]! : null;
}

/** Renders a page with the dashboard's headers. */
export async function render(c: Context<DashboardEnv>, node: Child, status: 200 | 400 | 403 | 404 | 409 | 413 | 422 | 500 | 502 = 200) {
  const html = `<!doctype html>${String(await node)}`;
  return c.body(html, status, { ...pageHeaders, "Content-Type": "text/html; charset=utf-8" });
}

/** After a change: back to a page (303, so a reload does not post again), with a notice key. */
export function seeOther(c: Context<DashboardEnv>, path: string, done?: string) {
  const url = done ? `${path}${path.includes("?") ? "&" : "?"}done=${encodeURIComponent(done)}` : path;
  return c.body(null, 303, { Location: url, "Cache-Control": "no-store" });
}
