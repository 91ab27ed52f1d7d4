import { describe, expect, it } from "vitest";
import { seedCompany } from "../harness";
import { consentingMember, messagesOf, testNotifier, uniqueEmail, waitForOutbox, waitForSettled } from "../notifications-harness";

describe("smoke", () => {
  it("welcome goes through the local queue to the outbox", async () => {
    const company = await seedCompany();
    const email = uniqueEmail("ada");
    const id = await consentingMember(company, { firstName: "Ada", email });
    await testNotifier().welcome(company.id, id);
    const kept = await waitForOutbox(email);
    expect(kept[0]!.subject).toBe(`Welcome to the Test Café ${company.id} loyalty programme`);
    const rows = await waitForSettled(company.id);
    expect(rows.map((r) => r.status)).toEqual(["sent"]);
    expect(await messagesOf(company.id)).toHaveLength(1);
  });
});
