import { describe, expect, it } from "vitest";
import { redactPath } from "../../src/lib/logger";

describe("redactPath", () => {
  it.each([
    // The add-on key in the configured URLs.
    ["/kounta/s3cr3t-addon-key-0123456789/customer-search", "/kounta/:addonKey/customer-search"],
    ["/kounta/s3cr3t-addon-key-0123456789/reward-lookup", "/kounta/:addonKey/reward-lookup"],
    // A wrong or half-typed key, on any sub-path or none: whatever stands there may be a secret.
    ["/kounta/wrong-key/customer-search", "/kounta/:addonKey/customer-search"],
    ["/kounta/s3cr3t-addon-key-0123456789/unknown/deeper", "/kounta/:addonKey/unknown/deeper"],
    ["/kounta/s3cr3t-addon-key-0123456789", "/kounta/:addonKey"],
    ["/kounta/s3cr3t-addon-key-0123456789/", "/kounta/:addonKey/"],
    ["/kounta//s3cr3t-addon-key-0123456789/customer-search", "/kounta//:addonKey/customer-search"],
    ["/Kounta/s3cr3t-addon-key-0123456789/customer-search", "/Kounta/:addonKey/customer-search"],
    // Only the exact public segments are kept: these are not routes, so they may be keys.
    ["/kounta/redeemX/customer-search", "/kounta/:addonKey/customer-search"],
    ["/kounta/Redeem", "/kounta/:addonKey"],
    ["/kounta/webhooks-key/orders", "/kounta/:addonKey/orders"],
    // The public routes keep their names.
    ["/kounta/redeem", "/kounta/redeem"],
    ["/kounta/redeem/", "/kounta/redeem/"],
    ["/kounta/webhooks/orders", "/kounta/webhooks/orders"],
    ["/kounta/webhooks/unknown", "/kounta/webhooks/unknown"],
    // Nothing else is touched.
    ["/kounta", "/kounta"],
    ["/kounta/", "/kounta/"],
    ["/admin/v1/members/mem_1/ledger", "/admin/v1/members/mem_1/ledger"],
    ["/connect/callback", "/connect/callback"],
    ["/health", "/health"],
    ["/kountaX/secret/customer-search", "/kountaX/secret/customer-search"],
  ])("%s -> %s", (path, logged) => {
    expect(redactPath(path)).toBe(logged);
  });
});
