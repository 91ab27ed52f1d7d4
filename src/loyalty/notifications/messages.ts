// What each message says, as plain text and as simple HTML. Nothing personal beyond the member's
// first name and their points; the programme's name and the unsubscribe link in every one.

export interface MessageContext {
  firstName: string;
  companyName: string;
  pointsLabel: string;
  points: number;
  unsubscribeUrl: string;
}

export type MessageDetail =
  | { kind: "welcome" }
  | { kind: "reward_ready"; rewards: { id: string; title: string; points: number }[] }
  | { kind: "points_expiring"; expiring: number; on: string }
  | { kind: "card_link"; cardUrl: string };

export interface RenderedMessage {
  subject: string;
  text: string;
  html: string;
}

/** "2 January 2027" for a UTC day "2027-01-02". */
export function longDate(isoDay: string): string {
  return new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" }).format(new Date(`${isoDay}T00:00:00Z`));
}

const amount = (n: number, label: string) => `${n.toLocaleString("en-US")} ${label}`;

/** A paragraph: plain text, or a link (shown as its address in the text version). */
type Part = string | { link: string; label: string };

function body(ctx: MessageContext, detail: MessageDetail): { subject: string; paragraphs: Part[][] } {
  const programme = `${ctx.companyName} loyalty programme`;
  const balance = amount(ctx.points, ctx.pointsLabel);
  switch (detail.kind) {
    case "welcome":
      return {
        subject: `Welcome to the ${programme}`,
        paragraphs: [
          [`You are now a member of the ${programme}.`],
          [`You have ${balance}. Give your name, email or phone at the counter to collect ${ctx.pointsLabel} on what you buy, and to spend them on rewards.`],
        ],
      };
    case "reward_ready": {
      const list = detail.rewards.map((r) => `${r.title} (${amount(r.points, ctx.pointsLabel)})`).join(", ");
      return {
        subject: detail.rewards.length === 1 ? `Your ${detail.rewards[0]!.title} is ready at ${ctx.companyName}` : `Rewards are ready for you at ${ctx.companyName}`,
        paragraphs: [[`You have ${balance}: enough for ${list}.`], ["Ask for it at the counter on your next visit."]],
      };
    }
    case "points_expiring":
      return {
        subject: `${amount(detail.expiring, ctx.pointsLabel)} expire on ${longDate(detail.on)}`,
        paragraphs: [
          [`${amount(detail.expiring, ctx.pointsLabel)} of your ${balance} at ${ctx.companyName} expire on ${longDate(detail.on)}.`],
          ["Spend them on a reward at the counter before then, and they are not lost."],
        ],
      };
    case "card_link":
      return {
        subject: `Your ${ctx.companyName} loyalty card`,
        paragraphs: [
          [`Here is the link to your ${ctx.companyName} loyalty card:`],
          [{ link: detail.cardUrl, label: "Open my card" }],
          [`Open it at the counter so they can scan your card, and to see your ${ctx.pointsLabel} and rewards. You can add it to your home screen.`],
          ["Keep this link to yourself: anyone who has it can see your card. Card links you had before keep working; ask at the counter to end them."],
          ["If you did not ask for this email, you can ignore it."],
        ],
      };
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

export function renderMessage(ctx: MessageContext, detail: MessageDetail): RenderedMessage {
  const { subject, paragraphs } = body(ctx, detail);
  const footer: Part[][] = [
    [`You get this email as a member of the ${ctx.companyName} loyalty programme.`],
    ["To get no more emails from it: ", { link: ctx.unsubscribeUrl, label: "unsubscribe" }],
  ];
  const greeting = `Hello ${ctx.firstName},`;
  const textPart = (p: Part) => (typeof p === "string" ? p : p.link);
  const text = [greeting, "", ...paragraphs.map((p) => p.map(textPart).join("")).flatMap((line) => [line, ""]), "--",
    ...footer.map((p) => p.map(textPart).join(""))].join("\n");
  const htmlPart = (p: Part) => (typeof p === "string" ? escapeHtml(p) : `<a href="${escapeHtml(p.link)}">${escapeHtml(p.label)}</a>`);
  const html = [
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    `<body style="font-family: system-ui, sans-serif; line-height: 1.5; color: #1a1a1a; max-width: 36rem;">`,
    `<p>${escapeHtml(greeting)}</p>`,
    ...paragraphs.map((p) => `<p>${p.map(htmlPart).join("")}</p>`),
    `<hr><p style="font-size: 0.875rem; color: #555;">${footer.map((p) => p.map(htmlPart).join("")).join("<br>")}</p>`,
    "</body></html>",
  ].join("\n");
  return { subject, text, html };
}
