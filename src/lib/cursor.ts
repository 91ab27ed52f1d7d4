import { base64Url } from "./crypto";

// Page cursors: where a listing resumes, written as text by the listing (its own format, which it
// checks on the way back) and handed out opaque, in base64url without padding.

export function cursorFor(position: string): string {
  return base64Url(new TextEncoder().encode(position));
}

/** The position a cursor holds, or null when it is not base64 (standard or URL-safe, padded or not). */
export function cursorText(cursor: string): string | null {
  try {
    return atob(cursor.replace(/-/g, "+").replace(/_/g, "/"));
  } catch {
    return null;
  }
}
