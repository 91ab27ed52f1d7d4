// A small in-memory cache per Worker isolate, in front of KV for its hottest keys. An isolate serves
// many requests, so the same member card or reward catalogue is often read again within seconds.
// Entries live a few seconds only, which keeps them inside the staleness KV already has (about
// 60 s between locations); writers update it with KV (src/storage/cache.ts).

const MAX_ENTRIES = 5_000;

interface Entry {
  value: unknown;
  expiresAt: number;
}

export class IsolateCache {
  private readonly entries = new Map<string, Entry>();

  get<T>(key: string, now = Date.now()): T | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value as T;
  }

  set(key: string, value: unknown, ttlMs: number, now = Date.now()): void {
    this.entries.delete(key);
    if (this.entries.size >= MAX_ENTRIES) {
      // Oldest first: a Map iterates in insertion order.
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { value, expiresAt: now + ttlMs });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}

/** The isolate's one instance. */
export const isolateCache = new IsolateCache();
