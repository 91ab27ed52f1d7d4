import { z } from "zod";
import { parseTokenKeys } from "./lib/token-crypto";

/** An optional text setting: unset and empty are the same (none). */
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v?.trim() ? v.trim() : undefined));

// Vars and secrets, checked once per isolate. A missing or weak secret fails every request with a
// clear log line naming the setting (never its value) instead of half-working.
const baseSchema = z.object({
  ENVIRONMENT: z.enum(["development", "test", "staging", "production"]).default("development"),
  KOUNTA_API_BASE_URL: z.url().default("https://api.kounta.com/v1"),
  // Kounta's OAuth authorize page (my.kounta.com), where GET /connect sends the merchant.
  KOUNTA_AUTHORIZE_URL: z.url().default("https://my.kounta.com/authorize"),
  REDEEM_URL_TTL_SECONDS: z.coerce.number().int().min(60).max(7 * 24 * 3600).default(12 * 3600),
  PUBLIC_BASE_URL: z.url().optional().or(z.literal("").transform(() => undefined)),
  KOUNTA_ADDON_KEY: z.string().min(8, "must be at least 8 characters (use 32+ random characters outside development)"),
  KOUNTA_ADDON_KEY_PREVIOUS: z.string().optional().transform((v) => (v ? v : undefined)),
  REDEEM_SIGNING_KEY: z.string().min(32, "must be at least 32 characters"),
  REDEEM_SIGNING_KEY_PREVIOUS: z.string().optional().transform((v) => (v ? v : undefined)),
  KOUNTA_CLIENT_ID: z.string().min(1, "is required (the add-on's OAuth client id)"),
  KOUNTA_CLIENT_SECRET: z.string().min(1, "is required (the add-on's OAuth client secret)"),
  // "<key id>:<base64 32-byte key>,...": the first encrypts the stored Kounta tokens, all decrypt.
  TOKEN_ENCRYPTION_KEYS: z.string({ error: "is required (keys that encrypt the stored Kounta tokens)" }).superRefine((value, ctx) => {
    try {
      parseTokenKeys(value);
    } catch (err) {
      ctx.addIssue({ code: "custom", message: (err as Error).message });
    }
  }),
  // The join page's optional Cloudflare Turnstile check (docs/member-pages.md): both keys, or neither.
  TURNSTILE_SITE_KEY: optionalText,
  TURNSTILE_SECRET_KEY: optionalText,
  // Where the answer of the widget is verified (a stand-in's address in the tests).
  TURNSTILE_SITEVERIFY_URL: z.url().default("https://challenges.cloudflare.com/turnstile/v0/siteverify"),
  // The sender of the "your card link" email, with the SEND_EMAIL binding (src/notify/email.ts).
  EMAIL_FROM: z.email().optional().or(z.literal("").transform(() => undefined)),
});

/** Where the Worker serves real merchants: the stricter rules below apply. */
const DEPLOYED_ENVIRONMENTS: ReadonlySet<string> = new Set(["staging", "production"]);

/** Shortest add-on key and redeem signing key accepted when deployed (the previous ones: any length). */
const MIN_DEPLOYED_SECRET_LENGTH = 32;

// Values that are public because they are committed in this repository: .dev.vars.example (what
// `npm run dev` copies to .dev.vars), the benchmark's (scripts/bench.ts) and the tests'
// (test/vitest.config.ts). Fine locally, refused when deployed. Keep in step with those files.
const PUBLIC_SECRET_VALUES: Readonly<Record<string, readonly string[]>> = {
  KOUNTA_ADDON_KEY: ["local-dev-key", "bench-addon-key-123", "test-addon-key-current", "test-addon-key-previous"],
  REDEEM_SIGNING_KEY: [
    "local-dev-redeem-signing-key-0123456789abcdef",
    "bench-signing-key-0123456789abcdefghij",
    "test-redeem-signing-key-0123456789abcdef",
  ],
  KOUNTA_CLIENT_SECRET: ["local-dev-client-secret", "test-client-secret"],
};
// The committed token keys (whatever id they are listed under), compared as bytes. Decoded only
// when a deployed configuration is checked, not at start-up.
const PUBLIC_TOKEN_KEYS = [
  "cjXFEE8h2zJt9Qb1mObUpAQ220oRwLyZ9GOcFVp6J9M=",
  "wjJujHEtgGZrst3O+eH3MKbutmIVuKOyd9HRtlyQnqc=",
  "A8m0f3lZ5Q2k1cJ9vX7yR4tB6nH0pD2sE8uW1qL3gKo=",
];

const configSchema = baseSchema.superRefine((config, ctx) => {
  const problem = (setting: string, message: string) => ctx.addIssue({ code: "custom", path: [setting], message });
  // One without the other would show a widget nobody checks, or check a widget nobody is shown
  // (every join refused).
  if (Boolean(config.TURNSTILE_SITE_KEY) !== Boolean(config.TURNSTILE_SECRET_KEY)) {
    problem(config.TURNSTILE_SITE_KEY ? "TURNSTILE_SECRET_KEY" : "TURNSTILE_SITE_KEY", "must be set together with the other Turnstile key (or neither)");
  }
  if (!DEPLOYED_ENVIRONMENTS.has(config.ENVIRONMENT)) return;
  const where = `in ${config.ENVIRONMENT}`;

  // A previous key may be short (no minimum): it is the one being rotated away from (a deployment made
  // before this rule), and refusing it would break every URL and link still using it at once.
  const secrets: [string, string | undefined, readonly string[], minLength: number][] = [
    ["KOUNTA_ADDON_KEY", config.KOUNTA_ADDON_KEY, PUBLIC_SECRET_VALUES.KOUNTA_ADDON_KEY!, MIN_DEPLOYED_SECRET_LENGTH],
    ["KOUNTA_ADDON_KEY_PREVIOUS", config.KOUNTA_ADDON_KEY_PREVIOUS, PUBLIC_SECRET_VALUES.KOUNTA_ADDON_KEY!, 0],
    ["REDEEM_SIGNING_KEY", config.REDEEM_SIGNING_KEY, PUBLIC_SECRET_VALUES.REDEEM_SIGNING_KEY!, MIN_DEPLOYED_SECRET_LENGTH],
    ["REDEEM_SIGNING_KEY_PREVIOUS", config.REDEEM_SIGNING_KEY_PREVIOUS, PUBLIC_SECRET_VALUES.REDEEM_SIGNING_KEY!, 0],
  ];
  for (const [setting, value, known, minLength] of secrets) {
    if (value === undefined) continue;
    if (known.includes(value.trim())) problem(setting, `must not be the example value committed in the repository ${where}`);
    else if (value.length < minLength) {
      problem(setting, `must be at least ${MIN_DEPLOYED_SECRET_LENGTH} random characters ${where}`);
    }
  }
  if (PUBLIC_SECRET_VALUES.KOUNTA_CLIENT_SECRET!.includes(config.KOUNTA_CLIENT_SECRET.trim())) {
    problem("KOUNTA_CLIENT_SECRET", `must not be the example value committed in the repository ${where}`);
  }
  // A malformed value is reported by the field's own check above (Zod runs this refine regardless):
  // here it only must not throw.
  if (committedTokenKeyListed(config.TOKEN_ENCRYPTION_KEYS)) {
    problem("TOKEN_ENCRYPTION_KEYS", `must not list a key committed in the repository ${where}`);
  }

  const urls: [string, string | undefined][] = [
    ["KOUNTA_API_BASE_URL", config.KOUNTA_API_BASE_URL],
    ["KOUNTA_AUTHORIZE_URL", config.KOUNTA_AUTHORIZE_URL],
    ["PUBLIC_BASE_URL", config.PUBLIC_BASE_URL],
    ["TURNSTILE_SITEVERIFY_URL", config.TURNSTILE_SITEVERIFY_URL],
  ];
  for (const [setting, value] of urls) {
    if (value !== undefined && URL.canParse(value) && new URL(value).protocol !== "https:") problem(setting, `must be an https:// URL ${where}`);
  }
});

function committedTokenKeyListed(value: string): boolean {
  try {
    const committed = new Set(PUBLIC_TOKEN_KEYS.map((key) => keyBytes(parseTokenKeys(`k:${key}`)[0]!.raw)));
    return parseTokenKeys(value).some((key) => committed.has(keyBytes(key.raw)));
  } catch {
    return false;
  }
}

function keyBytes(raw: Uint8Array): string {
  return Array.from(raw, (b) => b.toString(16).padStart(2, "0")).join("");
}

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

const parsed = new WeakMap<object, Config>();

export function loadConfig(env: Env): Config {
  const cached = parsed.get(env);
  if (cached) return cached;
  const result = configSchema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new ConfigError(`Invalid Worker configuration: ${problems}`);
  }
  parsed.set(env, result.data);
  return result.data;
}
