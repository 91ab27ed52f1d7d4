import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { members } from "../../src/storage/schema";
import { admin, adminKey } from "../admin-harness";
import { page, post, signedIn } from "../dashboard-harness";
import { call, db, getJson, kountaUrl, ORIGIN, seedCompany } from "../harness";

// POST /dashboard/members/:id/icon (multipart, field "icon"): the admin API's rules (PNG or JPEG by
// their bytes, at most 1 MB), stored in KV, served at the member's icon URL; and removing it.

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 9, 8, 7]);

const iconVersion = async (id: string) => (await db.select({ v: members.iconVersion }).from(members).where(eq(members.id, id)))[0]!.v;
const file = (bytes: Uint8Array, name: string, type: string) => new File([bytes], name, { type });

describe("dashboard member icon", () => {
  it("uploads a PNG: stored in KV, named by the member's icon URL, shown on the page and to the POS", async () => {
    const company = await seedCompany();
    const id = await company.addMember({ firstName: "Ada", email: "ada@example.com" });
    const browser = await signedIn(company.id);
    const before = Date.now();

    const res = await post(browser, `/dashboard/members/${id}/icon`, { icon: file(PNG, "ada.png", "image/png") });
    expect(res.status).toBe(303);
    expect(res.location).toBe(`/dashboard/members/${id}?done=icon`);
    const version = await iconVersion(id);
    expect(version).toBeGreaterThanOrEqual(before);

    const served = await call(`${ORIGIN}/icons/${company.id}/${id}?v=${version}`);
    expect(served.status).toBe(200);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(served.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(PNG);

    const shown = await page(browser, res.location!);
    expect(shown.html).toContain("The picture was uploaded.");
    expect(shown.html).toContain(`<img src="/icons/${company.id}/${id}?v=${version}" alt=""`);
    expect((await admin(await adminKey(company.id), "GET", `/members/${id}`)).body.icon_url).toBe(`${ORIGIN}/icons/${company.id}/${id}?v=${version}`);
    const search = await getJson(kountaUrl("customer-search", { keyword: "ada", company_id: company.id }));
    expect(search.body.members[id].icon_url).toBe(`${ORIGIN}/icons/${company.id}/${id}?v=${version}`);
  });

  it("uploads a JPEG, then removes the picture", async () => {
    const company = await seedCompany();
    const id = await company.addMember({ firstName: "Ada", email: "ada@example.com" });
    const browser = await signedIn(company.id);
    expect((await post(browser, `/dashboard/members/${id}/icon`, { icon: file(JPEG, "ada.jpg", "image/jpeg") })).status).toBe(303);
    const version = await iconVersion(id);
    const served = await call(`${ORIGIN}/icons/${company.id}/${id}?v=${version}`);
    expect(served.headers.get("content-type")).toBe("image/jpeg");
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(JPEG);
    expect((await page(browser, `/dashboard/members/${id}`)).html).toContain(`action="/dashboard/members/${id}/icon/remove"`);

    const removed = await post(browser, `/dashboard/members/${id}/icon/remove`, {});
    expect(removed.status).toBe(303);
    expect(removed.location).toBe(`/dashboard/members/${id}?done=icon-removed`);
    expect(await iconVersion(id)).toBeNull();
    expect((await call(`${ORIGIN}/icons/${company.id}/${id}?v=${version}`)).status).toBe(404);
    expect((await page(browser, `/dashboard/members/${id}`)).html).not.toContain("<img");
  });

  it.each([
    ["a GIF", () => file(new TextEncoder().encode("GIF89a....."), "a.gif", "image/gif"), "This file is not a PNG or JPEG image."],
    ["text called a PNG", () => file(new TextEncoder().encode("hello there"), "a.png", "image/png"), "This file is not a PNG or JPEG image."],
    ["a JPEG called a PNG", () => file(JPEG, "a.png", "image/png"), "This file is not a PNG or JPEG image."],
    ["a PNG over 1 MB", () => { const big = new Uint8Array(1024 * 1024 + 1); big.set(PNG); return file(big, "big.png", "image/png"); }, "This picture is larger than 1 MB."],
    ["no file at all", () => file(new Uint8Array(0), "", "application/octet-stream"), "Choose a PNG or JPEG image to upload."],
  ])("refuses %s beside the field and stores nothing", async (_, icon, message) => {
    const company = await seedCompany();
    const id = await company.addMember({ firstName: "Ada", email: "ada@example.com" });
    const res = await post(await signedIn(company.id), `/dashboard/members/${id}/icon`, { icon: icon() });
    expect(res.status).toBe(400);
    expect(res.html).toMatch(new RegExp(`<span class="error" id="i-icon-error">${message.replace(/\./g, "\\.")}[^<]*</span>`));
    expect(res.html).toContain(`aria-invalid="true" aria-describedby="i-icon-error i-icon-hint"`);
    expect(await iconVersion(id)).toBeNull();
    expect((await call(`${ORIGIN}/icons/${company.id}/${id}`)).status).toBe(404);
  });
});
