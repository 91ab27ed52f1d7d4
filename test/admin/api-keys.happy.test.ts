import { describe, expect, it } from "vitest";
import { seedCompany } from "../harness";
import { admin, adminKey } from "../admin-harness";

describe("admin API keys", () => {
  it("creates a key shown once, lists keys without secrets, revokes one", async () => {
    const company = await seedCompany();
    const key = await adminKey(company.id, "Setup");

    const created = await admin(key, "POST", "/api-keys", { name: "Back office" });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      id: expect.stringMatching(/^key_/),
      name: "Back office",
      prefix: created.body.key.slice(0, 10),
      manager: false,
      key: expect.stringMatching(/^lk_[A-Za-z0-9_-]{43}$/),
      created_at: expect.any(String),
      last_used_at: null,
      revoked_at: null,
    });

    // The new key works on its own.
    const listed = await admin(created.body.key, "GET", "/api-keys");
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((k: { name: string }) => k.name).sort()).toEqual(["Back office", "Setup"]);
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key);

    const revoked = await admin(key, "DELETE", `/api-keys/${created.body.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked_at).toEqual(expect.any(String));
    const refused = await admin(created.body.key, "GET", "/api-keys");
    expect(refused.status).toBe(401);
  });

  it("records when a key was last used", async () => {
    const company = await seedCompany();
    const key = await adminKey(company.id);
    await admin(key, "GET", "/api-keys");
    const { body } = await admin(key, "GET", "/api-keys");
    expect(body.data[0].last_used_at).toEqual(expect.any(String));
  });
});
