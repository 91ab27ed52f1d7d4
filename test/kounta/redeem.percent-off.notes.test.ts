import { env } from "cloudflare:test";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { SETTLE_AFTER_MS, settlePendingRedemptions } from "../../src/jobs/settle-redemptions";
import { Logger } from "../../src/lib/logger";
import { redeemMessages, rewardSetupMessages, settleReasons } from "../../src/loyalty/cashier-messages";
import { rewards } from "../../src/storage/schema";
import { db } from "../harness";
import { kounta } from "../kounta-harness";
import { balanceOf, redeem, redeemUrl, redemptionsOf, seedRedemption } from "../redeem-harness";

// A percent-off writes its note after each line's own notes, and Kounta keeps 250 characters of them.
// The line's own notes (what the cashier typed, another reward's note) are kept whole: our title is
// cut short instead, so putting a line back from what the order shows (the settling job) gives the
// cashier's note back as typed. The stand-in's open order has two lines; "pct" is 20% off for 300.

type Seeded = Awaited<ReturnType<typeof seedRedemption>>;

const quiet = new Logger({ test: "percent-off-notes" });
const later = () => Date.now() + SETTLE_AFTER_MS + 60_000;
const LONG_TITLE = "20% off everything on the order for members of the programme, " + "with thanks for coming back again and again".repeat(2);

/** A cashier's note of exactly `length` characters. */
const typed = (length: number) => "Oat milk, extra hot, no lid, name on cup: Alexandra. ".repeat(10).slice(0, length);

const head = (id: string, i: number, n: number) => `Loyalty reward ${id} (${i}/${n}, was 1)`;

async function notesOf(s: Seeded, orderId: string): Promise<string[]> {
  const order = await kounta.order(s.company.id, orderId);
  return order.lines.map((l: { notes: string }) => l.notes);
}

async function setUp(options: { title?: string; lineNotes: string; orderId: string }) {
  const s = await seedRedemption();
  if (options.title) await db.update(rewards).set({ title: options.title }).where(eq(rewards.id, s.company.rewardId("pct")));
  await kounta.api(s.company.id, "PUT", `orders/${options.orderId}/lines/1`, { notes: options.lineNotes });
  return s;
}

describe("percent off: a line's own notes are kept whole", () => {
  it("cuts our title short, not the cashier's note, when both do not fit", async () => {
    const own = typed(150);
    const s = await setUp({ title: LONG_TITLE, lineNotes: own, orderId: "6201" });

    expect(await redeem(await redeemUrl(s, "pct", "6201"))).toEqual({ success: true });

    const [id] = (await redemptionsOf(s)).map((r) => r.id);
    const [line1, line2] = await notesOf(s, "6201");
    const ours = `${head(id!, 1, 2)}: ${LONG_TITLE}`;
    expect(line1).toBe(`${own} | ${ours.slice(0, 250 - own.length - 3)}`);
    expect(line1).toHaveLength(250);
    expect(line2).toBe(`${head(id!, 2, 2)}: ${LONG_TITLE}`.slice(0, 250));
  });

  it("gives the cashier's note back as typed when the settling job puts a partial discount back", async () => {
    const own = typed(150);
    const s = await setUp({ title: LONG_TITLE, lineNotes: own, orderId: "6202" });
    // Line 2's PUT is rate limited, and so is putting line 1 back: pending, line 1 discounted.
    await kounta.fault(s.company.id, "slow", { delay_ms: 0, times: 2 });
    await kounta.fault(s.company.id, "rate_limit", { retry_after: "30", times: 2 });

    expect(await redeem(await redeemUrl(s, "pct", "6202"))).toEqual({ success: false, error: redeemMessages.unconfirmed });
    const [pending] = await redemptionsOf(s);
    expect(pending!.status).toBe("pending");
    expect((await notesOf(s, "6202"))[0]!.startsWith(`${own} | ${head(pending!.id, 1, 2)}: 20% off`)).toBe(true);

    await settlePendingRedemptions(env, quiet, { now: later() });

    expect(await notesOf(s, "6202")).toEqual([own, ""]);
    expect((await redemptionsOf(s)).map((r) => [r.status, r.failureReason])).toEqual([["failed", settleReasons.undone]]);
    expect(await balanceOf(s)).toBe(1250);
  });

  it("drops our title when only our head fits after the cashier's note", async () => {
    // The head is "Loyalty reward rdm_<16> (1/2, was 1)": 48 characters; 199 + 3 + 48 = 250.
    const own = typed(199);
    const s = await setUp({ lineNotes: own, orderId: "6203" });

    expect(await redeem(await redeemUrl(s, "pct", "6203"))).toEqual({ success: true });

    const [id] = (await redemptionsOf(s)).map((r) => r.id);
    expect(head(id!, 1, 2)).toHaveLength(48);
    expect((await notesOf(s, "6203"))[0]).toBe(`${own} | ${head(id!, 1, 2)}`);
  });

  it("cuts only a note too long for even our head, keeping the head whole", async () => {
    const own = typed(240);
    const s = await setUp({ lineNotes: own, orderId: "6204" });

    expect(await redeem(await redeemUrl(s, "pct", "6204"))).toEqual({ success: true });

    const [id] = (await redemptionsOf(s)).map((r) => r.id);
    expect((await notesOf(s, "6204"))[0]).toBe(`${own.slice(0, 199)} | ${head(id!, 1, 2)}`);
    expect(await balanceOf(s)).toBe(950);
  });
});

describe("percent off on a line that carries another reward's note", () => {
  const other = "Loyalty reward red_OTHERREDEMPTION1 (1/2, was 1): 10% off";

  it("adds ours with its title cut when its head fits: both discounts on the line, the other note whole", async () => {
    const own = `${typed(120)} | ${other}`;
    const s = await setUp({ title: LONG_TITLE, lineNotes: own, orderId: "6205" });

    expect(await redeem(await redeemUrl(s, "pct", "6205"))).toEqual({ success: true });

    const [id] = (await redemptionsOf(s)).map((r) => r.id);
    const line1 = (await notesOf(s, "6205"))[0]!;
    expect(line1.startsWith(`${own} | ${head(id!, 1, 2)}: 20% off`)).toBe(true);
    expect(line1).toHaveLength(250);
  });

  it("refuses when even our head would not fit without cutting the other reward's note, changing nothing", async () => {
    const own = `${typed(150)} | ${other}`;
    const s = await setUp({ lineNotes: own, orderId: "6206" });
    const url = await redeemUrl(s, "pct", "6206");
    const seen = (await kounta.calls(s.company.id)).length;

    expect(await redeem(url)).toEqual({ success: false, error: rewardSetupMessages.noRoomForPercentage });

    const calls = (await kounta.calls(s.company.id)).slice(seen).map((c) => `${c.method} ${c.status}`);
    expect(calls).toEqual(["GET 200"]);
    expect(await notesOf(s, "6206")).toEqual([own, ""]);
    expect((await redemptionsOf(s)).map((r) => r.status)).toEqual(["failed"]);
    expect(await balanceOf(s)).toBe(1250);
  });
});
