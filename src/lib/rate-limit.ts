import type { Logger } from "./logger";

// A counter per key and window, by Cloudflare's Workers rate limiting binding ([[ratelimits]] in
// wrangler.toml: the limit and period live there, not in the code). wrangler dev and the tests
// simulate it locally. It counts per Cloudflare location and is eventually consistent: a limit
// against floods, not an exact quota.
//
// Without the binding (an environment that declares none) or when it fails, the call is allowed: a
// missing limiter must not stop customers from joining. Each such binding is logged once per isolate.

/** The part of the binding we use (the runtime's RateLimit). */
export interface RateLimiter {
  limit(options: { key: string }): Promise<{ success: boolean }>;
}

const reported = new Set<string>();

function reportOnce(logger: Logger, name: string, message: string, fields: Record<string, unknown> = {}): void {
  if (reported.has(name)) return;
  reported.add(name);
  logger.warn(message, { binding: name, ...fields });
}

/** Whether one more call under `key` is allowed (and counted). */
export async function withinRateLimit(limiter: RateLimiter | undefined, name: string, key: string, logger: Logger): Promise<boolean> {
  if (!limiter || typeof limiter.limit !== "function") {
    reportOnce(logger, name, "rate limiting binding missing: every call allowed");
    return true;
  }
  try {
    return (await limiter.limit({ key })).success;
  } catch (err) {
    reportOnce(logger, name, "rate limiting binding failed: calls allowed", { error_message: String((err as Error)?.message ?? err).slice(0, 200) });
    return true;
  }
}
