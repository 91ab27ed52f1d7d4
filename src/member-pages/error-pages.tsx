import type { Context } from "hono";
import { MemberDocument, renderMemberPage } from "./layout";

// What a person's browser gets on the public pages (joining, a card, stopping emails, connecting to
// Kounta) when no route answers, or when something fails unexpectedly: a page, in the member pages'
// frame, never the JSON the POS and the admin API get (app.ts). Nothing of the error is shown.

/** The public pages' addresses: /join, /card, /unsubscribe, /connect and /oauth, and below them. */
const PUBLIC_PAGES = /^\/(join|card|unsubscribe|connect|oauth)(\/|$)/;

export const isPublicPagePath = (path: string) => PUBLIC_PAGES.test(path);

export function publicNotFoundPage(c: Context) {
  return renderMemberPage(
    c,
    <MemberDocument title="Page not found">
      <h1>Page not found</h1>
      <p>There is no page at this address. Check the address you were given, or ask at the counter.</p>
    </MemberDocument>,
    404,
  );
}

export function publicErrorPage(c: Context) {
  return renderMemberPage(
    c,
    <MemberDocument title="Something went wrong">
      <h1>Something went wrong</h1>
      <p>Sorry, this page could not be shown just now. Nothing was changed. Please try again in a moment.</p>
    </MemberDocument>,
    500,
  );
}
