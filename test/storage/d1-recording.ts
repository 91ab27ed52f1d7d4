import { env } from "cloudflare:test";

/**
 * The tests' D1 binding that records the constraint (or bookmark) of every withSession() it is
 * asked for, in order; `wrap` may hand out a session of its own instead (a copy that lags).
 */
export function recordingD1(
  sessions: (string | undefined)[],
  wrap: (constraint: string | undefined, session: D1DatabaseSession) => D1DatabaseSession = (_, session) => session,
): D1Database {
  return new Proxy(env.DB, {
    get(target, prop) {
      if (prop === "withSession") {
        return (constraint?: string) => {
          sessions.push(constraint);
          return wrap(constraint, target.withSession(constraint));
        };
      }
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
