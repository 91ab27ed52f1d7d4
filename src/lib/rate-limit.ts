import type { Context } from "hono";
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

/** The visitor's address as Cloudflare saw it (CF-Connecting-IP, which a client cannot set; "" outside Cloudflare). */
export function clientIp(c: Context): string {
  return c.req.header("CF-Connecting-IP")?.trim() ?? "";
}

/**
 * What the per-IP limit counts by: an IPv4 address whole, an IPv6 address by its /64 (one home or
 * phone connection holds a whole /64, so counting single addresses would let it post without end),
 * and every request without an address (only outside Cloudflare) together.
 */
export function rateLimitKey(ip: string): string {
  if (!ip) return "ip:unknown";
  if (!ip.includes(":")) return `ip:${ip}`;
  const [head = "", tail = ""] = ip.toLowerCase().split("::");
  const left = head ? head.split(":") : [];
  const right = ip.includes("::") && tail ? tail.split(":") : [];
  const groups = ip.includes("::") ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right] : left;
  return `ip6:${groups
    .slice(0, 4)
    .map((g: string) => g.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}
