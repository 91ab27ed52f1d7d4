import { describe, expect, it } from "vitest";
import { renderMessage } from "../../src/loyalty/notifications/messages";
import { emailSender } from "../../src/notify/email";

// The words of a message are escaped in its HTML, and what becomes a header stays on one line.

const HOSTILE = `<img src=x onerror="alert(1)">`;

describe("messages", () => {
  it("escapes the member's name, the company's and the rewards' in the HTML (the text keeps them as written)", () => {
    const rendered = renderMessage(
      { firstName: HOSTILE, companyName: `Tom & "Jerry's"`, pointsLabel: "<b>Stars</b>", points: 120, unsubscribeUrl: "https://loyalty.test/unsubscribe/1/m/s?a=1&b=2" },
      { kind: "reward_ready", rewards: [{ id: "r", title: `Free <script>x</script>`, points: 100 }] },
    );
    expect(rendered.html).not.toContain("<img");
    expect(rendered.html).not.toContain("<script>");
    expect(rendered.html).not.toContain("<b>");
    expect(rendered.html).toContain("&#60;img src=x onerror=&#34;alert(1)&#34;&#62;");
    expect(rendered.html).toContain('<a href="https://loyalty.test/unsubscribe/1/m/s?a=1&#38;b=2">unsubscribe</a>');
    expect(rendered.text).toContain(`Hello ${HOSTILE},`);
    expect(rendered.subject).toBe(`Your Free <script>x</script> is ready at Tom & "Jerry's"`);
  });

  it("the Cloudflare sender puts the sender name and the subject on one line", async () => {
    const sent: unknown[] = [];
    const sender = emailSender({ environment: "production", from: "cards@loyalty.test", binding: { send: async (m) => void sent.push(m) }, outbox: {} as KVNamespace })!;
    await sender.sendEmail({ to: "a@example.com", fromName: "Café\r\nBcc: x@evil.example", subject: "Hi\nBcc: y@evil.example", text: "t", html: "h" });
    expect(sent).toEqual([
      { from: { email: "cards@loyalty.test", name: "Café Bcc: x@evil.example" }, to: "a@example.com", subject: "Hi Bcc: y@evil.example", text: "t", html: "h" },
    ]);
  });
});
