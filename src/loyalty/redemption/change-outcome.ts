import { KountaApiError } from "../../kounta-api/errors";

// What a 5xx answer to a change of the order (a line added or changed, a payment) says about whether
// the change happened (docs/redemption.md, "When Kounta misbehaves").
//
// - 502 and 504 are a gateway's answers (a proxy or load balancer in front of Kounta): the request may
//   have reached Kounta's backend, which may still finish it after the gateway gave up. Unknown.
// - Any other 5xx whose body is not Kounta's own JSON error (an HTML page, an empty body: something
//   in between answered, not Kounta). Unknown.
// - 503 says the server did not handle the request (RFC 9110, 15.6.4: overloaded or down for
//   maintenance; a proxy answers it when it has no backend to pass the request to): nothing happened,
//   whoever answered.
// - A 500 with Kounta's own error body: Kounta itself answered that it failed; read back, and
//   nothing there means nothing happened (as the stand-in's server_error fault).
//
// An unknown outcome is the client's "uncertain" (a connection lost after a change went out): read
// back, confirm when it is there, otherwise leave the redemption pending for the settling job, never
// give the points back at once. Reads are not wrapped: a read changes nothing whatever it answers.

/**
 * The text src/kounta-api/http.ts gives a 5xx whose body named no error (no error_description, message
 * or error): how an answer that was not Kounta's own JSON error is recognised from the KountaApiError
 * alone (its body is not kept). Pinned by test/kounta/redeem.unknown-outcome.test.ts (a 500 with an
 * HTML body stays pending).
 */
const NO_KOUNTA_ERROR = (status: number | undefined) => `Kounta answered ${status}`;

/** Whether a failed change's 5xx leaves unknown whether it happened (see above). */
export function changeOutcomeUnknown(err: KountaApiError): boolean {
  if (err.failure !== "server_error") return false;
  if (err.status === 503) return false;
  if (err.status === 502 || err.status === 504 || err.status === undefined) return true;
  return err.message === NO_KOUNTA_ERROR(err.status);
}

/** Runs a change of the order; a 5xx that leaves its outcome unknown is rethrown as "uncertain". */
export async function changeOrder<T>(change: () => Promise<T>): Promise<T> {
  try {
    return await change();
  } catch (err) {
    if (err instanceof KountaApiError && changeOutcomeUnknown(err)) {
      throw new KountaApiError("uncertain", `Kounta answered a change with ${err.status ?? "a 5xx"} (${err.message}): it may have been applied`, err.status);
    }
    throw err;
  }
}
