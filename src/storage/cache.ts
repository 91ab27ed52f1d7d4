import type { CacheOutcome, RequestMetrics } from "../lib/metrics";
import { isolateCache } from "./isolate-cache";

// KV with this isolate's memory in front of it. KV is eventually consistent (about 60 s between
// locations), so what lives here is only ever shown, never used to decide a balance, an idempotency
// key or a permission. What is kept, under which keys and for how long in memory is the caller's
// (src/loyalty/cache.ts); writers in D1 call it after they commit.

/**
 * How long a JSON value lives in KV (seconds). Writers put what they read from D1 after they
 * commit, in no guaranteed order: two racing writers (an edit and a lookup, two edits) can leave the
 * older copy last. An hour bounds how long such a copy can be shown; warm lookups happen within a
 * visit, so little is lost by it.
 */
const KV_TTL_SECONDS = 3600;

export class KvCache {
  constructor(
    private readonly kv: KVNamespace,
    private readonly metrics?: RequestMetrics,
  ) {}

  /** What this isolate kept under `key`, while it is fresh; null otherwise. */
  inMemory<T>(key: string): T | null {
    return isolateCache.get<T>(key) ?? null;
  }

  /** Keeps `value` in this isolate's memory only, for `memoryMs`. */
  keepInMemory(key: string, value: unknown, memoryMs: number): void {
    isolateCache.set(key, value, memoryMs);
  }

  forgetInMemory(key: string): void {
    isolateCache.delete(key);
  }

  /** Counts a read that this isolate's memory answered alone. */
  servedFromMemory(): void {
    this.metrics?.recordKv(0, "memory");
  }

  /** The JSON values of these keys, in one KV round trip; a key absent from the map has none. */
  async getJson(keys: string[]): Promise<Map<string, unknown>> {
    const values = await this.timed(
      () => this.kv.get(keys, "json"),
      (m) => (keys.every((k) => m.get(k)) ? "hit" : keys.some((k) => m.get(k)) ? "partial" : "miss"),
    );
    const found = new Map<string, unknown>();
    for (const [key, value] of values) if (value !== null && value !== undefined) found.set(key, value);
    return found;
  }

  /** Writes `value` to this isolate's memory (for `memoryMs`) and to KV (for an hour, or `ttlSeconds`: KV's least is 60). */
  async putJson(key: string, value: unknown, memoryMs: number, ttlSeconds = KV_TTL_SECONDS): Promise<void> {
    isolateCache.set(key, value, memoryMs);
    await this.kv.put(key, JSON.stringify(value), { expirationTtl: Math.max(60, ttlSeconds) });
  }

  /** Removes `key` from this isolate's memory and from KV. */
  async delete(key: string): Promise<void> {
    isolateCache.delete(key);
    await this.kv.delete(key);
  }

  async getBytes<M>(key: string): Promise<{ body: ArrayBuffer; metadata: M | null } | null> {
    const result = await this.timed(
      () => this.kv.getWithMetadata<M>(key, "arrayBuffer"),
      (r) => (r.value ? "hit" : "miss"),
    );
    return result.value ? { body: result.value, metadata: result.metadata } : null;
  }

  /** Bytes in KV alone (never in memory), with no expiry. */
  async putBytes(key: string, body: ArrayBuffer, metadata: unknown): Promise<void> {
    await this.kv.put(key, body, { metadata });
  }

  private async timed<T>(read: () => Promise<T>, outcome: (value: T) => CacheOutcome): Promise<T> {
    const started = performance.now();
    const value = await read();
    this.metrics?.recordKv(performance.now() - started, outcome(value));
    return value;
  }
}
