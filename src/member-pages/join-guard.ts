import type { Context } from "hono";
import { csrf } from "hono/csrf";
import type { FormValues } from "../admin/inputs";
import { publicOrigin } from "../kounta/origin";
import { clientIp, rateLimitKey, withinRateLimit } from "../lib/rate-limit";
import type { AppEnv } from "../services";
import { checkJoinFormToken } from "./join-form-token";

// What every post to the join pages passes before anything is read or written:
// 1. it comes from our own page: the browser says so (Hono's csrf: Origin or Sec-Fetch-Site), it is
//    a form, and it carries a join form token we signed for this company, still fresh (403);
// 2. the rate limits: per visitor IP, then per company, per minute (429). Only what passed 1 counts.
// A refusal after the form was read (a stale token, a limit) hands the form back, so the page can
// draw it again with what was typed.

type Ctx = Context<AppEnv>;

/**
 * forged: not from our page (another Origin, not a form); stale: a form from our page whose token
 * does not check (open longer than the token lives, or drawn before a key rotation).
 */
export type GuardRefusal = "forged" | "stale" | "unreadable" | "ip_limited" | "company_limited";

export type GuardOutcome = { ok: true; form: FormValues } | { ok: false; refusal: GuardRefusal; form?: FormValues };

const sameOrigin = csrf({ origin: (origin, c) => origin === publicOrigin(c as Ctx) });

export async function guardJoinPost(c: Ctx, companyId: string): Promise<GuardOutcome> {
  const { config, logger } = c.get("services");
  try {
    await sameOrigin(c, async () => undefined);
  } catch {
    return refused(c, "forged", "cross-origin");
  }
  const type = c.req.header("content-type") ?? "";
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type)) return refused(c, "forged", "not a form");
  let form: FormValues;
  try {
    form = await c.req.parseBody({ all: true });
  } catch {
    return refused(c, "unreadable", "unreadable form");
  }
  const keys = [config.REDEEM_SIGNING_KEY, config.REDEEM_SIGNING_KEY_PREVIOUS].filter((k): k is string => Boolean(k));
  if (!(await checkJoinFormToken(keys, companyId, form._csrf))) return refused(c, "stale", "wrong token", form);

  const ip = clientIp(c);
  if (!(await withinRateLimit(c.env.JOIN_IP_RATE_LIMITER, "JOIN_IP_RATE_LIMITER", rateLimitKey(ip), logger))) {
    return refused(c, "ip_limited", "per IP", form);
  }
  if (!(await withinRateLimit(c.env.JOIN_COMPANY_RATE_LIMITER, "JOIN_COMPANY_RATE_LIMITER", `company:${companyId}`, logger))) {
    return refused(c, "company_limited", "per company", form);
  }
  return { ok: true, form };
}

function refused(c: Ctx, refusal: GuardRefusal, reason: string, form?: FormValues): GuardOutcome {
  c.get("services").logger.warn("join post refused", { refusal, reason, path: c.req.path });
  return form ? { ok: false, refusal, form } : { ok: false, refusal };
}
