import { describe, expect, it } from "vitest";
import { getJson, kountaUrl, seedCompany } from "../harness";
import { admin, adminKey } from "../admin-harness";

async function tenant(name: string) {
  const company = await seedCompany();
  const key = await adminKey(company.id);
  const member = await company.addMember({ firstName: name, lastName: "Shared", email: "same@example.com", phone: "0400 123 456", cardNumber: "777" });
  return { company, key, member };
}

describe("admin members: one company never reaches another's", () => {
  it("a revoked key is refused on the member routes", async () => {
    const { key, member } = await tenant("Ann");
    const other = await admin(key, "POST", "/api-keys", { name: "Temp" });
    await admin(key, "DELETE", `/api-keys/${other.body.id}`);
    for (const [method, path] of [["GET", "/members"], ["GET", `/members/${member}`], ["POST", `/members/${member}/deactivate`]] as const) {
      expect((await admin(other.body.key, method, path)).status).toBe(401);
    }
    expect((await admin(key, "GET", `/members/${member}`)).body.status).toBe("active");
  });

  it("lists, searches and pages only its own members, even with another company's cursor", async () => {
    const mine = await tenant("Mine");
    const theirs = await tenant("Theirs");
    await theirs.company.addMember({ firstName: "Theirs2", email: "t2@example.com" });

    const listed = await admin(mine.key, "GET", "/members");
    expect(listed.body.data.map((m: { id: string }) => m.id)).toEqual([mine.member]);
    for (const q of ["Shared", "same@example.com", "0400123456", "777", "Theirs"]) {
      const found = await admin(mine.key, "GET", `/members?q=${encodeURIComponent(q)}`);
      expect(found.body.data.map((m: { id: string }) => m.id)).toEqual(q === "Theirs" ? [] : [mine.member]);
    }
    const theirPage = await admin(theirs.key, "GET", "/members?limit=1");
    expect(theirPage.body.next_cursor).toEqual(expect.any(String));
    const withTheirCursor = await admin(mine.key, "GET", `/members?cursor=${encodeURIComponent(theirPage.body.next_cursor)}`);
    expect(withTheirCursor.status).toBe(200);
    expect(withTheirCursor.body.data.every((m: { id: string }) => m.id === mine.member)).toBe(true);
  });

  it("an import matching another company's email, phone and card creates a member here and leaves theirs alone", async () => {
    const theirs = await tenant("Theirs");
    const mine = await seedCompany();
    const key = await adminKey(mine.id);

    const res = await admin(key, "POST", "/members/import", {
      members: [{ first_name: "Mine", email: "same@example.com", phone: "0400 123 456", card_number: "777" }],
    });

    expect(res.body).toEqual({ created: 1, updated: 0, unchanged: 0, rejected: 0, rows: [{ row: 1, status: "created", id: expect.any(String) }] });
    expect(res.body.rows[0].id).not.toBe(theirs.member);
    expect((await admin(theirs.key, "GET", `/members/${theirs.member}`)).body).toMatchObject({ first_name: "Theirs", status: "active" });
    const theirSearch = await getJson(kountaUrl("customer-search", { keyword: "same@example.com", company_id: theirs.company.id }));
    expect(Object.keys(theirSearch.body.members)).toEqual([theirs.member]);
  });

  it("a member's JSON never carries another company's data nor internal columns", async () => {
    const { key, member } = await tenant("Ann");
    const res = await admin(key, "GET", `/members/${member}`);
    expect(Object.keys(res.body).sort()).toEqual(
      ["card_number", "created_at", "email", "email_consent", "email_consent_at", "first_name", "icon_url", "id", "last_name", "phone", "points", "status", "updated_at"],
    );
  });
});
