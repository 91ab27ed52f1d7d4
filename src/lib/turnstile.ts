// Cloudflare Turnstile's server-side check: the widget on a page puts a one-time token into the form
// (cf-turnstile-response); Siteverify tells whether it is genuine, fresh and unused. A form that
// carries none, or one Siteverify refuses, is refused.

/** The field the widget adds to its form. */
export const TURNSTILE_FIELD = "cf-turnstile-response";

/** The widget's script (the page's CSP must allow its origin for script-src and frame-src). */
export const TURNSTILE_SCRIPT = "https://challenges.cloudflare.com/turnstile/v0/api.js";
export const TURNSTILE_ORIGIN = "https://challenges.cloudflare.com";

const TIMEOUT_MS = 5_000;
/** Turnstile's tokens are at most 2048 characters. */
const MAX_TOKEN_LENGTH = 2048;

/** passed; refused (no token, or Siteverify said no); unavailable (Siteverify did not answer usably). */
export type TurnstileOutcome = { ok: true } | { ok: false; reason: "refused" | "unavailable"; codes: string[] };

export async function verifyTurnstile(
  settings: { secret: string; siteverifyUrl: string },
  token: string,
  remoteIp: string | null,
): Promise<TurnstileOutcome> {
  if (!token || token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: "refused", codes: ["missing-input-response"] };
  const body = new URLSearchParams({ secret: settings.secret, response: token });
  if (remoteIp) body.set("remoteip", remoteIp);
  let answer: { success?: unknown; "error-codes"?: unknown };
  try {
    const res = await fetch(settings.siteverifyUrl, { method: "POST", body, signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (!res.ok) return { ok: false, reason: "unavailable", codes: [`http-${res.status}`] };
    answer = await res.json();
  } catch {
    return { ok: false, reason: "unavailable", codes: ["no-answer"] };
  }
  if (answer.success === true) return { ok: true };
  const codes = Array.isArray(answer["error-codes"]) ? answer["error-codes"].filter((c): c is string => typeof c === "string").slice(0, 5) : [];
  return { ok: false, reason: "refused", codes };
}
