import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../src/app";
import { call, ORIGIN } from "./harness";

afterEach(() => vi.restoreAllMocks());

describe("GET /health", () => {
  it("answers ok with a request id and timing, without touching D1", async () => {
    const res = await call(`${ORIGIN}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
    expect(res.headers.get("x-request-id")).toMatch(/^req_[0-9a-z]{16}$/);
    const timing = res.headers.get("server-timing") ?? "";
    expect(timing).toMatch(/^total;dur=[\d.]+$/);
  });

  it("answers unknown paths with a plain 404 in Kounta's error shape", async () => {
    const res = await call(`${ORIGIN}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: "Not found" });
  });
});

describe("GET /ready", () => {
  it("answers ok after one D1 round trip, shown in Server-Timing", async () => {
    const res = await call(`${ORIGIN}/ready`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
    expect(res.headers.get("server-timing")).toMatch(/^d1;dur=[\d.]+;desc="round_trips=1 queries=1 rows_read=0 rows_written=0 session=primary primary_trips=1", total;dur=[\d.]+$/);
  });

  it("answers 503 without internals when D1 does not answer, and logs why", async () => {
    const lines: string[] = [];
    for (const method of ["log", "warn", "error"] as const) {
      vi.spyOn(console, method).mockImplementation((line: unknown) => void lines.push(String(line)));
    }
    const brokenDb = {
      prepare: () => ({ bind: () => ({ all: () => Promise.reject(new Error("D1_ERROR: Network connection lost.")) }) }),
      withSession: () => brokenDb,
      getBookmark: () => null,
    };
    const ctx = createExecutionContext();
    const res = await createApp().fetch(new Request(`${ORIGIN}/ready`), { ...env, DB: brokenDb as unknown as D1Database }, ctx);
    await waitOnExecutionContext(ctx);

    expect(res.status).toBe(503);
    expect(await res.text()).toBe('{"status":"unavailable"}');
    const logged = lines.map((l) => JSON.parse(l));
    expect(logged[0]).toMatchObject({
      level: "error",
      msg: "readiness: D1 did not answer",
      error_message: "D1_ERROR: Network connection lost.",
      request_id: res.headers.get("x-request-id"),
    });
    expect(logged[1]).toMatchObject({ msg: "request", path: "/ready", status: 503 });
  });

  it("answers 503 when the configuration is unfit, naming the setting in the log only", async () => {
    const lines: string[] = [];
    for (const method of ["log", "warn", "error"] as const) {
      vi.spyOn(console, method).mockImplementation((line: unknown) => void lines.push(String(line)));
    }
    const ctx = createExecutionContext();
    const res = await createApp().fetch(
      new Request(`${ORIGIN}/ready`),
      { ...env, ENVIRONMENT: "production", KOUNTA_ADDON_KEY: "local-dev-key" },
      ctx,
    );
    await waitOnExecutionContext(ctx);

    expect(res.status).toBe(503);
    expect(await res.text()).toBe('{"status":"unavailable"}');
    const logged = lines.map((l) => JSON.parse(l));
    expect(logged[0]).toMatchObject({ level: "error", msg: "readiness: configuration invalid" });
    expect(logged[0].detail).toContain("KOUNTA_ADDON_KEY");
    expect(lines.join("\n")).not.toContain("local-dev-key");
    expect(logged[1]).toMatchObject({ msg: "request", path: "/ready", status: 503 });
  });
});
