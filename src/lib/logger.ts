// Structured JSON logs. Callers pass facts, never tokens, secrets, full emails or request bodies;
// redactEmail and redactPath exist for the few places that would otherwise be tempted.

type Level = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

export class Logger {
  constructor(private readonly base: LogFields = {}) {}

  child(fields: LogFields): Logger {
    return new Logger({ ...this.base, ...fields });
  }

  debug(msg: string, fields?: LogFields): void {
    this.write("debug", msg, fields);
  }
  info(msg: string, fields?: LogFields): void {
    this.write("info", msg, fields);
  }
  warn(msg: string, fields?: LogFields): void {
    this.write("warn", msg, fields);
  }
  error(msg: string, fields?: LogFields): void {
    this.write("error", msg, fields);
  }

  private write(level: Level, msg: string, fields?: LogFields): void {
    const line = JSON.stringify({ level, msg, time: new Date().toISOString(), ...this.base, ...fields });
    if (level === "error") console.error(line);
    else if (level === "warn") console.warn(line);
    else console.log(line);
  }
}

/** "john.smith@example.com" -> "j***@example.com" */
export function redactEmail(email: string): string {
  const at = email.indexOf("@");
  if (at < 1) return "***";
  return `${email[0]}***${email.slice(at)}`;
}

// The segments after /kounta/ that are routes of their own, not an add-on key.
const PUBLIC_KOUNTA_SEGMENTS = new Set(["redeem", "webhooks"]);

/**
 * The add-on key is a secret that travels in the path (/kounta/<key>/customer-search): never log
 * it. Whatever stands where a key would (a right key, a wrong one, on any sub-path) is replaced,
 * except the public routes /kounta/redeem and /kounta/webhooks/..., which are logged as they are.
 * A member's card link (/card/<token>) opens their card: its token is replaced the same way, and so
 * is the signature of an unsubscribe link (/unsubscribe/<company>/<member>/<sig>), which changes
 * what the member is sent.
 */
export function redactPath(path: string): string {
  return path
    .replace(/^(\/+kounta\/+)([^/]+)/i, (whole, prefix: string, segment: string) =>
      PUBLIC_KOUNTA_SEGMENTS.has(segment) ? whole : `${prefix}:addonKey`,
    )
    .replace(/^(\/+card\/+)(?!icon\.svg$)[^/]+/i, "$1:token")
    .replace(/^(\/+unsubscribe\/+[^/]+\/+[^/]+\/+)[^/]+/i, "$1:sig");
}

/** What an unexpected error may say in a log: its kind and message, cut short, without the stack. */
export function describeError(err: unknown): LogFields {
  if (err instanceof Error) return { error_name: err.name, error_message: err.message.slice(0, 300) };
  return { error_name: typeof err };
}
