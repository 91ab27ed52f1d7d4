import { getCookie } from "hono/cookie";
import { appendResponseHeader, type BookmarkCarrier } from "../services";

// The dashboard's D1 bookmark (docs/read-replicas.md): a cookie beside the session's, so the page
// after a change (and the first page after signing in) reads a copy at least as fresh as the change.
// It names a point in the database's history, nothing of the merchant's; HttpOnly all the same.

export const BOOKMARK_COOKIE = "loyalty_d1";

export const dashboardBookmarkCookie: BookmarkCarrier = {
  read: (c) => getCookie(c, BOOKMARK_COOKIE),
  write: (c, bookmark) =>
    appendResponseHeader(c, "Set-Cookie", `${BOOKMARK_COOKIE}=${bookmark}; Path=/dashboard; Max-Age=3600; HttpOnly; Secure; SameSite=Lax`),
};
