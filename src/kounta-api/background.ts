// Work that must outlive the request that started it (a token refresh whose caller stopped waiting):
// handed to the invocation's waitUntil, so the Worker is not stopped while it runs.

/** The invocation's `ctx.waitUntil` (or an equivalent): keeps `promise` running after the response. */
export type WaitUntil = (promise: Promise<unknown>) => void;

/** The runtime's own waitUntil (cloudflare:workers), once looked up: null where there is none (Node). */
let runtimeWaitUntil: WaitUntil | null | undefined;

async function lookUpRuntimeWaitUntil(): Promise<WaitUntil | null> {
  if (runtimeWaitUntil === undefined) {
    // Imported lazily: the modules of src/ also load in Node (test/node, the scripts), which has no such module.
    runtimeWaitUntil = await import("cloudflare:workers").then(
      (m) => (typeof m.waitUntil === "function" ? m.waitUntil : null),
      () => null,
    );
  }
  return runtimeWaitUntil;
}

/**
 * Keeps `promise` alive until it settles: with the caller's waitUntil when given, else the runtime's
 * (the current invocation's, `import { waitUntil } from "cloudflare:workers"`). `promise` must not
 * reject (a rejection would be reported as unhandled): the caller catches what it needs to.
 */
export function keepAlive(promise: Promise<unknown>, given?: WaitUntil): void {
  const hand = (waitUntil: WaitUntil | null) => {
    try {
      waitUntil?.(promise);
    } catch {
      // Outside an invocation (a test's top level): the promise runs all the same, unguarded.
    }
  };
  if (given) return hand(given);
  if (runtimeWaitUntil !== undefined) return hand(runtimeWaitUntil);
  void lookUpRuntimeWaitUntil().then(hand);
}
