import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createExecutionContext, env } from "cloudflare:test";
import { createApp } from "../../src/app";
import { ORIGIN, seedCompany } from "../harness";
import { fieldValue, freshIp, goodForm, joinPage, joinPost, writtenBy } from "./join-harness";

// Turnstile on the join pages, when its keys are configured: the widget (and the CSP that lets it
// load), and Siteverify's answer deciding the post. Siteverify is a stand-in at a test address.

const SITEVERIFY = "https://siteverify.test/turnstile/v0/siteverify";
const turnstileEnv = { TURNSTILE_SITE_KEY: "1x00000000000000000000AA", TURNSTILE_SECRET_KEY: "test-turnstile-secret", TURNSTILE_SITEVERIFY_URL: SITEVERIFY };

let siteverifyCalls: URLSearchParams[] = [];
/** What the stand-in answers: by the token posted. */
let answer: (token: string) => Response;

beforeEach(() => {
  siteverifyCalls = [];
  answer = (token) => Response.json(token === "good-token" ? { success: true } : { success: false, "error-codes": ["invalid-input-response"] });
  const realFetch = globalThis.fetch;
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    if (request.url !== SITEVERIFY) return realFetch(input, init);
    const body = new URLSearchParams(new TextDecoder().decode(await request.arrayBuffer()));
    siteverifyCalls.push(body);
    return answer(body.get("response") ?? "");
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe("Turnstile on the join page", () => {
  it("shows the widget, and the policy lets its script and frame load from Cloudflare (only then)", async () => {
    const company = await seedCompany();
    const { status, html, res } = await joinPage(`/join/${company.id}`, { env: turnstileEnv });
    expect(status).toBe(200);
    // The widget in the form (where it puts its token); its script goes to the head.
    expect(html).toMatch(/<form [^]*<div class="cf-turnstile" data-sitekey="1x00000000000000000000AA"><\/div><div class="actions">[^]*<\/form>/);
    expect(html).toMatch(/<head>.*<script src="https:\/\/challenges\.cloudflare\.com\/turnstile\/v0\/api\.js" async="" defer=""><\/script><\/head>/);
    expect(res.headers.get("content-security-policy")).toBe(
      "default-src 'none'; script-src 'self' https://challenges.cloudflare.com; style-src 'self'; img-src 'self' data:; manifest-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; frame-src https://challenges.cloudflare.com",
    );
  });

  it("a token Siteverify accepts: the member joins; Siteverify was asked with our secret and the visitor's IP", async () => {
    const company = await seedCompany();
    const ip = freshIp();
    const res = await joinPost(`/join/${company.id}`, goodForm({ "cf-turnstile-response": "good-token" }), { env: turnstileEnv, ip });
    expect(res.status).toBe(303);
    expect(await writtenBy(company.id)).toEqual({ members: 1, links: 1 });
    expect(siteverifyCalls.map((b) => Object.fromEntries(b))).toEqual([{ secret: "test-turnstile-secret", response: "good-token", remoteip: ip }]);
  });

  it("a token Siteverify refuses: 400 with the form kept, nothing written", async () => {
    const company = await seedCompany();
    const res = await joinPost(`/join/${company.id}`, goodForm({ "cf-turnstile-response": "bot-token" }), { env: turnstileEnv });
    expect(res.status).toBe(400);
    expect(res.html).toContain('<div class="notice bad" role="alert" tabindex="-1" data-problems=""><p>We could not confirm that you are a person. Nothing was saved: please try again.</p></div>');
    expect(fieldValue(res.html, "first_name")).toBe("Ada");
    expect(fieldValue(res.html, "email")).toBe("Ada.Lovelace@Example.com");
    expect(res.html).not.toContain("bot-token");
    expect(res.html).toContain('class="cf-turnstile"');
    expect(res.res.headers.get("content-security-policy")).toContain("frame-src https://challenges.cloudflare.com");
    expect(siteverifyCalls).toHaveLength(1);
    expect(await writtenBy(company.id)).toEqual({ members: 0, links: 0 });
  });

  it("no token at all: 400 without asking Siteverify, nothing written", async () => {
    const company = await seedCompany();
    const res = await joinPost(`/join/${company.id}`, goodForm(), { env: turnstileEnv });
    expect(res.status).toBe(400);
    expect(res.html).toContain("We could not confirm that you are a person.");
    expect(siteverifyCalls).toHaveLength(0);
    expect(await writtenBy(company.id)).toEqual({ members: 0, links: 0 });
  });

  it("Siteverify not answering: 400 (try again), nothing written", async () => {
    const company = await seedCompany();
    answer = () => new Response("unavailable", { status: 503 });
    const res = await joinPost(`/join/${company.id}`, goodForm({ "cf-turnstile-response": "good-token" }), { env: turnstileEnv });
    expect(res.status).toBe(400);
    expect(res.html).toContain("We could not check that you are a person just now. Nothing was saved: please try again in a moment.");
    expect(await writtenBy(company.id)).toEqual({ members: 0, links: 0 });
  });

  it("checks the send-link form too, and draws its button again with the details it carries", async () => {
    const company = await seedCompany();
    await company.addMember({ firstName: "Ada", email: "ada@example.com" });
    const res = await joinPost(`/join/${company.id}/send-link`, { email: "ada@example.com", "cf-turnstile-response": "bot-token" }, { env: turnstileEnv });
    expect(res.status).toBe(400);
    expect(res.html).toContain('<div class="notice bad" role="alert" tabindex="-1" data-problems=""><p>We could not confirm that you are a person.');
    expect(res.html).toContain('<input type="hidden" name="email" value="ada@example.com"/>');
    expect(res.html).toContain('class="cf-turnstile"');
    expect(res.html).toContain("<button type=\"submit\">Send me my card link</button>");
    expect(await writtenBy(company.id)).toEqual({ members: 1, links: 0 });
  });

  it("without its keys nothing is asked of Siteverify", async () => {
    const company = await seedCompany();
    expect((await joinPost(`/join/${company.id}`, goodForm())).status).toBe(303);
    expect(siteverifyCalls).toHaveLength(0);
  });

  it("one key without the other is a configuration error naming the missing one", async () => {
    const company = await seedCompany();
    const error = vi.spyOn(console, "error");
    const res = await createApp().fetch(new Request(`${ORIGIN}/join/${company.id}`), { ...env, TURNSTILE_SITE_KEY: "1x00000000000000000000AA" } as Env, createExecutionContext());
    expect(res.status).toBe(500);
    // A page for the customer (src/member-pages/error-pages.tsx), saying nothing of the configuration.
    const html = await res.text();
    expect(html).toContain("<h1>Something went wrong</h1>");
    expect(html).not.toContain("TURNSTILE");
    const lines = error.mock.calls.map(([line]) => JSON.parse(String(line)));
    expect(lines.find((l) => l.msg === "configuration invalid")?.detail).toBe(
      "Invalid Worker configuration: TURNSTILE_SECRET_KEY: must be set together with the other Turnstile key (or neither)",
    );
  });
});
