import type { OutgoingEmail } from "./email";

// The local outbox (development and tests): what would have been emailed, kept in KV for a week,
// newest first. `npm run dev` shows it at /dev/outbox (src/member-pages/dev-outbox.tsx); the tests
// read it to see what was sent. Never used where ENVIRONMENT is staging or production.

const PREFIX = "dev-outbox:";
const KEEP_SECONDS = 7 * 24 * 3600;
/** Newest first in KV's (lexicographic) listing: the time counted down from a far date. */
const FAR = 9_999_999_999_999;

export interface KeptEmail extends OutgoingEmail {
  keptAt: number;
}

export async function keepInOutbox(kv: KVNamespace, email: OutgoingEmail, now = Date.now()): Promise<void> {
  const random = crypto.getRandomValues(new Uint32Array(1))[0]!.toString(36);
  const key = `${PREFIX}${String(FAR - now).padStart(13, "0")}:${random}`;
  // The address in the key's metadata: a listing for one address reads only that address's messages.
  await kv.put(key, JSON.stringify({ ...email, keptAt: now } satisfies KeptEmail), { expirationTtl: KEEP_SECONDS, metadata: { to: email.to } });
}

/** The newest kept messages (at most `limit`), optionally only those to one address. */
export async function readOutbox(kv: KVNamespace, options: { limit?: number; to?: string } = {}): Promise<KeptEmail[]> {
  const limit = options.limit ?? 50;
  const kept: KeptEmail[] = [];
  let cursor: string | undefined;
  do {
    const page = await kv.list<{ to?: string }>({ prefix: PREFIX, cursor });
    for (const key of page.keys) {
      if (options.to && key.metadata?.to !== options.to) continue;
      const email = await kv.get<KeptEmail>(key.name, "json");
      if (!email || (options.to && email.to !== options.to)) continue;
      kept.push(email);
      if (kept.length >= limit) return kept;
    }
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return kept;
}
