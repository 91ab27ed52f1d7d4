import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createApiKey } from "../../src/storage/api-keys";
import { apiKeys } from "../../src/storage/schema";
import { db, seedCompany } from "../harness";
import { admin, adminKey, requestId } from "../admin-harness";

// Managers' keys cannot be taken away by a key that is not a manager's.

describe("revoking a manager's key", () => {
  it("needs a manager's key; any key may revoke a key that is not a manager's", async () => {
    const company = await seedCompany();
    const staff = await adminKey(company.id, "Till");
    const manager = await createApiKey(db, { companyId: company.id, name: "Owner", manager: true });
    const other = await createApiKey(db, { companyId: company.id, name: "Website" });

    const refused = await admin(staff, "DELETE", `/api-keys/${manager.id}`);
    expect(refused).toMatchObject({
      status: 403,
      body: { error: { code: "forbidden", message: "Only a manager's API key may revoke a manager's key", request_id: expect.stringMatching(requestId) } },
    });
    const [row] = await db.select().from(apiKeys).where(eq(apiKeys.id, manager.id));
    expect(row!.revokedAt).toBeNull();

    expect((await admin(staff, "DELETE", `/api-keys/${other.id}`)).status).toBe(200);
    const revoked = await admin(manager.key, "DELETE", `/api-keys/${manager.id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body).toMatchObject({ id: manager.id, manager: true, revoked_at: expect.any(String) });
    expect((await admin(staff, "DELETE", "/api-keys/key_nope")).status).toBe(404);
  });
});
