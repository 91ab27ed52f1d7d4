import { describe, expect, it } from "vitest";
import { IsolateCache } from "../../src/storage/isolate-cache";

describe("isolate cache", () => {
  it("serves an entry until it expires", () => {
    const cache = new IsolateCache();
    cache.set("k", { points: 1 }, 5_000, 1_000);
    expect(cache.get("k", 5_999)).toEqual({ points: 1 });
    expect(cache.get("k", 6_000)).toBeUndefined();
    expect(cache.get("k", 1_000)).toBeUndefined();
  });

  it("replaces and deletes", () => {
    const cache = new IsolateCache();
    cache.set("k", 1, 5_000, 0);
    cache.set("k", 2, 5_000, 0);
    expect(cache.get("k", 1)).toBe(2);
    cache.delete("k");
    expect(cache.get("k", 1)).toBeUndefined();
  });

  it("drops the oldest entries beyond its size", () => {
    const cache = new IsolateCache();
    for (let i = 0; i < 5_001; i++) cache.set(`k${i}`, i, 60_000, 0);
    expect(cache.get("k0", 1)).toBeUndefined();
    expect(cache.get("k1", 1)).toBe(1);
    expect(cache.get("k5000", 1)).toBe(5000);
  });
});
