import type { Child } from "hono/jsx";
import type { Context } from "hono";
import { assetPaths } from "../dashboard/assets";

// The frame of the pages a customer sees (joining, their card): the dashboard's stylesheet and
// script (our own, nothing from elsewhere), its Content-Security-Policy, never cached, never indexed.

export const memberPageHeaders: Record<string, string> = {
  "Cache-Control": "private, no-store",
  "Content-Security-Policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; manifest-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "Referrer-Policy": "no-referrer",
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "X-Robots-Tag": "noindex",
};

export function MemberDocument(props: { title: string; manifest?: string; children: Child }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex" />
        <title>{props.title}</title>
        <link rel="stylesheet" href={assetPaths.css} />
        {props.manifest ? <link rel="manifest" href={props.manifest} /> : null}
        <script src={assetPaths.js} defer></script>
      </head>
      <body>
        <main class="member-page">{props.children}</main>
      </body>
    </html>
  );
}

export async function renderMemberPage(c: Context, node: Child, status: 200 | 201 | 400 | 403 | 404 | 409 | 429 | 500 = 200) {
  return c.body(`<!doctype html>${String(await node)}`, status, { ...memberPageHeaders, "Content-Type": "text/html; charset=utf-8" });
}
