import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { kountaConnections } from "../../src/storage/schema";
import { admin, adminKey, requestId } from "../admin-harness";
import { db, seedCompany } from "../harness";

describe("admin: the Kounta connection, authentication and isolation", () => {
  it.each([
    ["GET", "/connection"],
    ["POST", "/connection/disconnect"],
  ])("%s %s without a key: 401 in the envelope", async (method, path) => {
    const res = await admin(null, method, path);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({
      error: { code: "unauthorized", message: "Send an API key as Authorization: Bearer <key>", request_id: expect.stringMatching(requestId) },
    });
  });

  it("a revoked key cannot disconnect", async () => {
    const company = await seedCompany();
    const key = await adminKey(company.id);
    const other = await admin(key, "POST", "/api-keys", { name: "Other" });
    await admin(key, "DELETE", `/api-keys/${other.body.id}`);
    expect((await admin(other.body.key, "POST", "/connection/disconnect")).status).toBe(401);
    const [row] = await db.select().from(kountaConnections).where(eq(kountaConnections.companyId, company.id));
    expect(row!.status).toBe("connected");
  });

  it("a company's key disconnects that company only", async () => {
    const mine = await seedCompany();
    const theirs = await seedCompany();
    const myKey = await adminKey(mine.id);
    const theirKey = await adminKey(theirs.id);

    expect((await admin(myKey, "POST", "/connection/disconnect")).body.company_id).toBe(mine.id);

    const [row] = await db.select().from(kountaConnections).where(eq(kountaConnections.companyId, theirs.id));
    expect(row!.status).toBe("connected");
    expect(row!.accessToken).not.toBeNull();
    const res = await admin(theirKey, "GET", "/connection");
    expect(res.body).toMatchObject({ company_id: theirs.id, status: "connected" });
  });
});
