import { KountaApiError, kountaErrorText } from "./errors";

// One HTTP exchange with Kounta, as every caller in this Worker makes it (the client of a connected
// company, and connecting, before anything is stored): time-bound, a call that got no answer
// classified, and an answer's failure read the same way.

/** A fetch that must answer within `timeoutMs`: else "timeout"; a call that got no answer at all is a lostConnection. */
export async function fetchKounta(fetchImpl: typeof fetch, url: string, init: RequestInit, timeoutMs: number): Promise<Response> {
  try {
    return await fetchImpl(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const name = err instanceof Error ? err.name : "";
    if (name === "TimeoutError" || name === "AbortError") throw new KountaApiError("timeout", `Kounta did not answer within ${timeoutMs} ms`);
    throw lostConnection(init.method ?? "GET");
  }
}

/**
 * A fetch that failed without an answer. Workers report a connection refused and one lost after the
 * request went out alike ("Network connection lost"), so a change may have reached Kounta: uncertain.
 */
export function lostConnection(method: string): KountaApiError {
  return method === "GET"
    ? new KountaApiError("network", "Could not reach Kounta")
    : new KountaApiError("uncertain", `The connection to Kounta failed during a ${method}: it may have been applied`);
}

/** The body of an answer, as text and as JSON (null when it is not); a connection lost while it arrives is a failure like one lost before. */
export async function readAnswer(res: Response, method: string): Promise<{ text: string; json: unknown }> {
  let text: string;
  try {
    text = await res.text();
  } catch {
    throw lostConnection(method);
  }
  if (!text) return { text, json: null };
  try {
    return { text, json: JSON.parse(text) as unknown };
  } catch {
    return { text, json: null };
  }
}

/** What an answer of 400 or more says went wrong (Kounta's words, else its status): a 5xx "server_error", else "refused"; null below 400. */
export function answerFailure(status: number, body: unknown): KountaApiError | null {
  if (status >= 500) return new KountaApiError("server_error", kountaErrorText(body) || `Kounta answered ${status}`, status);
  if (status >= 400) return new KountaApiError("refused", kountaErrorText(body) || `Kounta answered ${status}`, status);
  return null;
}
