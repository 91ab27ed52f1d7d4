/** Why a Kounta API call did not succeed, as far as the caller needs to decide what to do next. */
export type KountaFailure =
  /** No answer within the time allowed: the change may or may not have happened (and may still). */
  | "timeout"
  /**
   * Nothing was sent to Kounta for this call: no time was left to send it, or the company's tokens
   * could not be refreshed first (the token endpoint slow, down or unreachable). Nothing happened.
   */
  | "not_sent"
  /** A read (GET) could not reach Kounta (DNS, connection refused or lost): nothing changed. */
  | "network"
  /**
   * A change (POST, PUT, DELETE) failed after it may have reached Kounta: the connection was lost
   * (Workers cannot tell a refused connection from a lost one) or Kounta answered with a redirect,
   * which a change never follows. Read back before assuming anything.
   */
  | "uncertain"
  /** 429 and no time left to wait for Retry-After: nothing happened. */
  | "rate_limited"
  /** The company's tokens no longer work (refresh refused): the merchant must reconnect. */
  | "unauthorized"
  /** Kounta answered 5xx: usually nothing happened, but check before assuming. */
  | "server_error"
  /** Kounta refused the request (4xx, or a redirect to another host): nothing happened. */
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

/** Whether a failed call may have changed something in Kounta all the same: only reading back can tell. */
export function mayHaveChanged(err: unknown): boolean {
  return err instanceof KountaApiError && (err.failure === "timeout" || err.failure === "uncertain" || err.failure === "server_error");
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
