import { describe, expect, it } from "vitest";
import { call, ORIGIN } from "./harness";

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
