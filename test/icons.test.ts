import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { LoyaltyCache } from "../src/loyalty/cache";
import { call, getJson, kountaUrl, ORIGIN, seedCompany } from "./harness";

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);

describe("member icons", () => {
  it("serves the icon named by icon_url from KV with long cache headers", async () => {
    const company = await seedCompany();
    const id = await company.addMember({ firstName: "Icon", iconVersion: 2 });
    await new LoyaltyCache(env.CACHE).putIcon(company.id, id, { body: PNG.buffer, contentType: "image/png", version: 2 });

    const { body } = await getJson(kountaUrl("customer-search", { keyword: "icon", company_id: company.id }));
    const iconUrl: string = body.members[id].icon_url;
    expect(iconUrl).toBe(`${ORIGIN}/icons/${company.id}/${id}?v=2`);

    const res = await call(iconUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/png");
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(PNG);
  });

  it("caches another version's URL for a minute only: KV holds a newer (or older) image than the URL names", async () => {
    const company = await seedCompany();
    const id = await company.addMember({ firstName: "Icon", iconVersion: 3 });
    const cache = new LoyaltyCache(env.CACHE);
    await cache.putIcon(company.id, id, { body: PNG.buffer, contentType: "image/png", version: 3 });
    for (const url of [`${ORIGIN}/icons/${company.id}/${id}?v=2`, `${ORIGIN}/icons/${company.id}/${id}?v=4`, `${ORIGIN}/icons/${company.id}/${id}`]) {
      const res = await call(url);
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toBe("public, max-age=60");
    }
    // Bytes stored before versions were kept with them: cached as they always were.
    await cache.putIcon(company.id, id, { body: PNG.buffer, contentType: "image/png" });
    expect((await call(`${ORIGIN}/icons/${company.id}/${id}?v=3`)).headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
  });

  it("answers a missing icon, or a malformed path, with the plain 404", async () => {
    const company = await seedCompany();
    for (const path of [`/icons/${company.id}/mem_none`, `/icons/abc/mem_x`, `/icons/${company.id}/mem%20x`]) {
      const res = await getJson(`${ORIGIN}${path}`);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: "Not found" });
    }
  });

  it("never shows another company's icon under this company's path", async () => {
    const mine = await seedCompany();
    const theirs = await seedCompany();
    const id = await theirs.addMember({ firstName: "Icon", iconVersion: 1 });
    await new LoyaltyCache(env.CACHE).putIcon(theirs.id, id, { body: PNG.buffer, contentType: "image/png" });
    expect((await call(`${ORIGIN}/icons/${mine.id}/${id}?v=1`)).status).toBe(404);
  });
});
