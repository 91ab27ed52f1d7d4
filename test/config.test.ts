import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import devVarsExample from "../.dev.vars.example?raw";
import { createApp } from "../src/app";
import { ConfigError, loadConfig } from "../src/config";
import { ORIGIN } from "./harness";

// src/config.ts: in staging and production the Worker refuses weak or committed secrets and
// non-https URLs, naming the setting and never its value; locally the committed values still work.

/** The settings of .dev.vars.example, as `npm run dev` hands them to the Worker. */
const example: Record<string, string> = Object.fromEntries(
  devVarsExample
    .split(/\r?\n/)
    .map((line) => /^\s*([A-Z_][A-Z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => [m[1]!, m[2]!]),
);

// Strong values nobody has committed anywhere but here (made up for this test; never deployed).
const strong = {
  KOUNTA_API_BASE_URL: "https://api.kounta.com/v1",
  KOUNTA_AUTHORIZE_URL: "https://my.kounta.com/authorize",
  REDEEM_URL_TTL_SECONDS: "43200",
  PUBLIC_BASE_URL: "",
  KOUNTA_ADDON_KEY: "Zq4mH8vT2nR6yW1pL9sK3dF7gJ5bX0cA",
  KOUNTA_ADDON_KEY_PREVIOUS: "",
  REDEEM_SIGNING_KEY: "uE5rT9wQ2aS6dF1gH8jK4lZ7xC3vB0nM",
  REDEEM_SIGNING_KEY_PREVIOUS: "",
  KOUNTA_CLIENT_ID: "live-client-id",
  KOUNTA_CLIENT_SECRET: "Lk2Jh5Gf8Ds1Aq4We7Rt0Yu3Io6Pz9Xc",
  TOKEN_ENCRYPTION_KEYS: "live-1:5JcMNi6SyEZOf6HzOQ8dN4kq+vU3ffmhG2v0NOV4tN8=",
};

const deployed = ["staging", "production"] as const;

function load(vars: Record<string, string>) {
  // A fresh object each time: loadConfig caches per env object.
  return loadConfig({ ...vars } as unknown as Env);
}

/** The ConfigError's message, which app.ts logs as the "configuration invalid" detail. */
function refusal(vars: Record<string, string>): string {
  try {
    load(vars);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error("the configuration was accepted");
}

describe("configuration in staging and production", () => {
  it.each(deployed)("%s accepts strong secrets and https URLs", (environment) => {
    const config = load({ ...strong, ENVIRONMENT: environment, PUBLIC_BASE_URL: "https://loyalty.example.com" });
    expect(config.ENVIRONMENT).toBe(environment);
    expect(config.KOUNTA_ADDON_KEY).toBe(strong.KOUNTA_ADDON_KEY);
  });

  const cases: [string, string, string][] = [
    ["KOUNTA_ADDON_KEY", "abcdefgh", "must be at least 32 random characters"],
    ["KOUNTA_ADDON_KEY", "a".repeat(31), "must be at least 32 random characters"],
    ["KOUNTA_API_BASE_URL", "http://api.kounta.com/v1", "must be an https:// URL"],
    ["KOUNTA_API_BASE_URL", "http://localhost:8788/v1", "must be an https:// URL"],
    ["KOUNTA_AUTHORIZE_URL", "http://my.kounta.com/authorize", "must be an https:// URL"],
    ["PUBLIC_BASE_URL", "http://loyalty.example.com", "must be an https:// URL"],
  ];

  it.each(deployed.flatMap((environment) => cases.map(([setting, value, message]) => [environment, setting, value, message] as const)))(
    "%s refuses %s=%s, naming the setting and not the value",
    (environment, setting, value, message) => {
      const text = refusal({ ...strong, ENVIRONMENT: environment, [setting]: value });
      expect(text).toBe(`Invalid Worker configuration: ${setting}: ${message} in ${environment}`);
      expect(text).not.toContain(value);
    },
  );

  it.each(deployed)("%s accepts a short previous key: the one a rotation moves away from", (environment) => {
    const config = load({ ...strong, ENVIRONMENT: environment, KOUNTA_ADDON_KEY_PREVIOUS: "old-key-12", REDEEM_SIGNING_KEY_PREVIOUS: "old-signing-key-16" });
    expect(config.KOUNTA_ADDON_KEY_PREVIOUS).toBe("old-key-12");
  });

  it.each(deployed)("%s reports a malformed token key or URL as a configuration error too (never a crash)", (environment) => {
    const badKeys = refusal({ ...strong, ENVIRONMENT: environment, TOKEN_ENCRYPTION_KEYS: "k1:abc" });
    expect(badKeys).toContain("TOKEN_ENCRYPTION_KEYS");
    const badUrl = refusal({ ...strong, ENVIRONMENT: environment, PUBLIC_BASE_URL: "loyalty.example.com" });
    expect(badUrl).toContain("PUBLIC_BASE_URL");
    expect(badUrl).not.toContain("loyalty.example.com");
  });

  const committed = ["KOUNTA_ADDON_KEY", "REDEEM_SIGNING_KEY", "KOUNTA_CLIENT_SECRET", "TOKEN_ENCRYPTION_KEYS"];

  it("reads every committed example secret from .dev.vars.example", () => {
    for (const setting of committed) expect(example[setting], setting).toBeTruthy();
  });

  it.each(deployed.flatMap((environment) => committed.map((setting) => [environment, setting] as const)))(
    "%s refuses the .dev.vars.example value of %s",
    (environment, setting) => {
      const value = example[setting]!;
      const text = refusal({ ...strong, ENVIRONMENT: environment, [setting]: value });
      const what = setting === "TOKEN_ENCRYPTION_KEYS" ? "must not list a key committed in the repository" : "must not be the example value committed in the repository";
      expect(text).toBe(`Invalid Worker configuration: ${setting}: ${what} in ${environment}`);
      expect(text).not.toContain(value);
    },
  );

  it("refuses the example values as the previous add-on and signing keys too", () => {
    const text = refusal({
      ...strong,
      ENVIRONMENT: "production",
      KOUNTA_ADDON_KEY_PREVIOUS: example.KOUNTA_ADDON_KEY!,
      REDEEM_SIGNING_KEY_PREVIOUS: example.REDEEM_SIGNING_KEY!,
    });
    expect(text).toBe(
      "Invalid Worker configuration: " +
        "KOUNTA_ADDON_KEY_PREVIOUS: must not be the example value committed in the repository in production; " +
        "REDEEM_SIGNING_KEY_PREVIOUS: must not be the example value committed in the repository in production",
    );
  });

  it("refuses the example token key listed second, under another id, for decryption only", () => {
    const exampleKey = example.TOKEN_ENCRYPTION_KEYS!.split(":")[1]!;
    const text = refusal({ ...strong, ENVIRONMENT: "production", TOKEN_ENCRYPTION_KEYS: `${strong.TOKEN_ENCRYPTION_KEYS},old:${exampleKey}` });
    expect(text).toBe("Invalid Worker configuration: TOKEN_ENCRYPTION_KEYS: must not list a key committed in the repository in production");
    expect(text).not.toContain(exampleKey);
  });

  it("refuses the whole .dev.vars.example deployed as it is, naming every setting", () => {
    const text = refusal({ ...example, ENVIRONMENT: "production", KOUNTA_API_BASE_URL: "http://localhost:8788/v1", KOUNTA_AUTHORIZE_URL: "http://localhost:8788/authorize" });
    for (const setting of [...committed, "KOUNTA_API_BASE_URL", "KOUNTA_AUTHORIZE_URL"]) expect(text).toContain(`${setting}: `);
    for (const value of Object.values(example).filter(Boolean)) expect(text).not.toContain(value);
  });
});

describe("configuration locally", () => {
  it.each(["development", "test"])("%s accepts .dev.vars.example with the stand-in's http:// URLs", (environment) => {
    const config = load({
      ...example,
      ENVIRONMENT: environment,
      KOUNTA_API_BASE_URL: "http://localhost:8788/v1",
      KOUNTA_AUTHORIZE_URL: "http://localhost:8788/authorize",
      REDEEM_URL_TTL_SECONDS: "43200",
    });
    expect(config.KOUNTA_ADDON_KEY).toBe(example.KOUNTA_ADDON_KEY);
    expect(config.KOUNTA_API_BASE_URL).toBe("http://localhost:8788/v1");
  });

  it("an unset ENVIRONMENT is development", () => {
    expect(load({ ...example }).ENVIRONMENT).toBe("development");
  });

  it("accepts the benchmark's secrets (scripts/bench.ts runs the top-level, development configuration)", () => {
    const config = load({
      ...example,
      ENVIRONMENT: "development",
      KOUNTA_ADDON_KEY: "bench-addon-key-123",
      REDEEM_SIGNING_KEY: "bench-signing-key-0123456789abcdefghij",
    });
    expect(config.KOUNTA_ADDON_KEY).toBe("bench-addon-key-123");
  });

  it("the tests' own bindings load", () => {
    expect(loadConfig(env).ENVIRONMENT).toBe("test");
  });

  it("still refuses an add-on key under 8 characters", () => {
    expect(refusal({ ...example, KOUNTA_ADDON_KEY: "short" })).toBe(
      "Invalid Worker configuration: KOUNTA_ADDON_KEY: must be at least 8 characters (use 32+ random characters outside development)",
    );
  });
});

describe("a deployed Worker with the example add-on key", () => {
  const spies: ReturnType<typeof vi.spyOn>[] = [];
  afterEach(() => spies.splice(0).forEach((s) => s.mockRestore()));

  it("answers 500 in Kounta's shape and logs the setting's name, never the key", async () => {
    const logged: string[] = [];
    for (const method of ["log", "warn", "error"] as const) {
      spies.push(vi.spyOn(console, method).mockImplementation((line: unknown) => void logged.push(String(line))));
    }
    const key = example.KOUNTA_ADDON_KEY!;
    const production = { ...env, ENVIRONMENT: "production", KOUNTA_API_BASE_URL: "https://api.kounta.com/v1", KOUNTA_AUTHORIZE_URL: "https://my.kounta.com/authorize", KOUNTA_ADDON_KEY: key, KOUNTA_ADDON_KEY_PREVIOUS: "" };
    const ctx = createExecutionContext();
    const res = await createApp().fetch(new Request(`${ORIGIN}/kounta/${key}/customer-search?keyword=john&company_id=456`), production, ctx);
    await waitOnExecutionContext(ctx);

    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ error: "The loyalty service is not set up correctly. Please contact support." });
    const problem = logged.map((line) => JSON.parse(line)).find((entry) => entry.msg === "configuration invalid");
    expect(problem?.detail).toContain("KOUNTA_ADDON_KEY: must not be the example value committed in the repository in production");
    expect(logged.filter((line) => line.includes(key))).toEqual([]);
  });
});
