import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../src/app";
import { ADDON_KEY, getJson, kountaUrl, seedCompany } from "./harness";

afterEach(() => vi.restoreAllMocks());

function captureLogs() {
  const lines: string[] = [];
  for (const method of ["log", "warn", "error"] as const) {
    vi.spyOn(console, method).mockImplementation((line: unknown) => void lines.push(String(line)));
  }
  return lines;
}

describe("logs", () => {
  it("write one JSON line per request with its request id, and never the add-on key, an email or a keyword", async () => {
    const company = await seedCompany();
    await company.addMember({ firstName: "John", email: "john.smith@example.com" });
    const lines = captureLogs();

    const { res } = await getJson(kountaUrl("customer-search", { keyword: "john.smith@example.com", company_id: company.id }));

    expect(lines).toHaveLength(1);
    const entry = JSON.parse(lines[0]!);
    expect(entry).toMatchObject({
      level: "info",
      msg: "request",
      request_id: res.headers.get("x-request-id"),
      method: "GET",
      path: "/kounta/:addonKey/customer-search",
      status: 200,
      d1_queries: 2,
    });
    const all = lines.join("\n");
    expect(all).not.toContain(ADDON_KEY);
    expect(all).not.toContain("john.smith");
    expect(all).not.toContain("example.com");
  });
});

describe("configuration", () => {
  it("a missing secret fails clearly in the log, and plainly in the response", async () => {
    const lines = captureLogs();
    const app = createApp();
    const ctx = createExecutionContext();
    const res = await app.fetch(
      new Request(kountaUrl("customer-search", { keyword: "john", company_id: "456" })),
      { ...env, REDEEM_SIGNING_KEY: "short" },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: "The loyalty service is not set up correctly. Please contact support." });
    const logged = lines.map((l) => JSON.parse(l));
    expect(logged[0]).toMatchObject({
      level: "error",
      msg: "configuration invalid",
      detail: "Invalid Worker configuration: REDEEM_SIGNING_KEY: must be at least 32 characters",
    });
    expect(lines.join("\n")).not.toContain("short");
  });

  it("/health answers even when the configuration is broken, without touching D1", async () => {
    const app = createApp();
    const ctx = createExecutionContext();
    const res = await app.fetch(new Request("https://loyalty.test/health"), { ...env, KOUNTA_ADDON_KEY: "" }, ctx);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
    expect(res.headers.get("server-timing")).not.toContain("d1");
  });
});

describe("unexpected errors", () => {
  it("answer 500 in Kounta's shape without internals, and log the cause", async () => {
    const lines = captureLogs();
    const app = createApp();
    const ctx = createExecutionContext();
    const brokenDb = {
      prepare: () => {
        throw new Error("D1_ERROR: no such table: members_fts at offset 42");
      },
      batch: () => Promise.reject(new Error("D1_ERROR: no such table: members_fts at offset 42")),
      withSession: () => brokenDb,
      getBookmark: () => null,
    };
    const res = await app.fetch(
      new Request(kountaUrl("customer-search", { keyword: "john", company_id: "456" })),
      { ...env, DB: brokenDb as unknown as D1Database },
      ctx,
    );
    expect(res.status).toBe(500);
    const body = await res.text();
    expect(JSON.parse(body)).toEqual({ error: "Something went wrong in the loyalty service. Please try again." });
    expect(body).not.toContain("D1_ERROR");
    expect(lines.map((l) => JSON.parse(l))[0]).toMatchObject({ level: "error", msg: "unhandled error", error_message: expect.stringContaining("no such table") });
  });
});
