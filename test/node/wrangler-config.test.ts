import { unstable_readConfig } from "wrangler";
import { describe, expect, it } from "vitest";
import wranglerToml from "../../wrangler.toml?raw";

// wrangler.toml as wrangler resolves it for each deployment: Cloudflare's invocation logs (every
// request's full URL: the add-on key in the path, a redeem_url's sig, OAuth code and state) stay
// off, while the Worker's own (redacted) console logs are still collected.

const configPath = new URL("../../wrangler.toml", (import.meta as ImportMeta & { url: string }).url).pathname;

describe("wrangler.toml", () => {
  it.each(["staging", "production", undefined])("env %s: invocation logs off, the Worker's own logs on, traces off", (env) => {
    const config = unstable_readConfig({ config: configPath, env });
    expect(config.observability).toMatchObject({ enabled: true, logs: { enabled: true, invocation_logs: false }, redact_query_string: true });
    expect(config.observability?.traces?.enabled ?? false).toBe(false);
  });

  it("production shows where its custom domain goes, commented out until there is one", () => {
    const production = wranglerToml.slice(wranglerToml.indexOf("[env.production]"));
    expect(production).toMatch(/^# routes = \[\{ pattern = "[^"]+", custom_domain = true \}\]$/m);
    expect(unstable_readConfig({ config: configPath, env: "production" }).routes ?? []).toEqual([]);
  });
});
