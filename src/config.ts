import { z } from "zod";
import { parseTokenKeys } from "./lib/token-crypto";

// Vars and secrets, checked once per isolate. A missing or weak secret fails every request with a
// clear log line naming the setting (never its value) instead of half-working.
const configSchema = z.object({
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
});

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
