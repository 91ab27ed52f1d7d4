/** Why a Kounta API call did not succeed, as far as the caller needs to decide what to do next. */
export type KountaFailure =
  /** No answer within the time allowed: the change may or may not have happened. */
  | "timeout"
  /** Could not reach Kounta at all (DNS, connection refused): nothing happened. */
  | "network"
  /** 429 and no time left to wait for Retry-After: nothing happened. */
  | "rate_limited"
  /** The company's tokens no longer work (refresh refused): the merchant must reconnect. */
  | "unauthorized"
  /** Kounta answered 5xx: usually nothing happened, but check before assuming. */
  | "server_error"
  /** Kounta refused the request (4xx): nothing happened. */
  | "refused"
  /** The order or record does not exist. */
  | "not_found";

export class KountaApiError extends Error {
  override name = "KountaApiError";
  constructor(
    readonly failure: KountaFailure,
    /** Kounta's own words (error_description, error or message), cut short; safe to log. */
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/** Kounta's error bodies are unpublished: clients read error_description, error and message. */
export function kountaErrorText(body: unknown): string {
  if (body && typeof body === "object") {
    const b = body as Record<string, unknown>;
    for (const key of ["error_description", "message", "error"]) {
      if (typeof b[key] === "string" && b[key]) return (b[key] as string).slice(0, 200);
    }
  }
  return "";
}
