import { sql, type SQL } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import {
  adjustKey,
  earnKey,
  expiryKey,
  expiryKeySql,
  expiryKeySuffix,
  failedRedemptionKeySql,
  isRefundKeyOf,
  openingKey,
  orderIdOfEarnKey,
  orderIdOfEarnKeySql,
  parseLedgerKey,
  quantitySuffixSql,
  redeemKey,
  redeemKeySql,
  redemptionKey,
  refundKey,
  releaseKey,
  releaseKeySql,
  returnKey,
  returnKeySql,
  unearnKey,
  unearnKeySql,
} from "../../src/loyalty/ledger/keys";
import { all, query } from "../../src/storage/sql";
import { db } from "../harness";

// The idempotency keys (src/loyalty/ledger/keys.ts): what the builders write, the parsers read back
// and the SQL forms write inside a statement must be the same text.

async function value(expression: SQL): Promise<unknown> {
  const [row] = await all(db, query<{ v: unknown }>(sql`SELECT ${expression} AS v`));
  return row?.v;
}

const bound = (text: string) => sql`${text}`;

describe("idempotency keys", () => {
  it("write the documented formats", () => {
    expect(earnKey("9001")).toBe("earn:9001");
    expect(unearnKey("9001")).toBe("unearn:9001");
    expect(refundKey("9001", "#2")).toBe("refund:9001:#2");
    expect(returnKey("rdm_1")).toBe("return:rdm_1");
    expect(redeemKey("rdm_1")).toBe("redeem:rdm_1");
    expect(releaseKey("rdm_1")).toBe("release:rdm_1");
    expect(expiryKey("mem_1", "2024-05-01")).toBe("expiry:mem_1:2024-05-01");
    expect(adjustKey("ticket-4711")).toBe("adjust:ticket-4711");
    expect(openingKey("mem_1")).toBe("opening:mem_1");
    expect(redemptionKey("9001", "sig")).toBe("redeem:9001:sig");
  });

  it("parse back to what built them", () => {
    expect(parseLedgerKey(earnKey("9001"))).toEqual({ kind: "earn", orderId: "9001" });
    expect(parseLedgerKey(unearnKey("9001"))).toEqual({ kind: "unearn", orderId: "9001" });
    expect(parseLedgerKey(refundKey("9001", "77"))).toEqual({ kind: "refund", orderId: "9001", payment: "77" });
    expect(parseLedgerKey(returnKey("rdm_1"))).toEqual({ kind: "return", redemptionId: "rdm_1" });
    expect(parseLedgerKey(redeemKey("rdm_1"))).toEqual({ kind: "redeem", redemptionId: "rdm_1" });
    expect(parseLedgerKey(releaseKey("rdm_1"))).toEqual({ kind: "release", redemptionId: "rdm_1" });
    expect(parseLedgerKey(expiryKey("mem_1", "2024-05-01"))).toEqual({ kind: "expiry", memberId: "mem_1", day: "2024-05-01" });
    expect(parseLedgerKey(adjustKey("a:b"))).toEqual({ kind: "adjust", callerKey: "a:b" });
    expect(parseLedgerKey(openingKey("mem_1"))).toEqual({ kind: "opening", memberId: "mem_1" });
    expect(orderIdOfEarnKey(earnKey("9001"))).toBe("9001");
    expect(orderIdOfEarnKey(unearnKey("9001"))).toBeNull();
    for (const text of ["", "earn:", "refund:9001", "refund:9001:", "expiry:mem_1", "something:else"]) {
      expect(parseLedgerKey(text)).toBeNull();
    }
  });

  it("are written the same inside SQL", async () => {
    expect(await value(orderIdOfEarnKeySql(bound(earnKey("9001"))))).toBe("9001");
    expect(await value(unearnKeySql(bound("9001")))).toBe(unearnKey("9001"));
    expect(await value(returnKeySql(bound("rdm_1")))).toBe(returnKey("rdm_1"));
    expect(await value(redeemKeySql(bound("rdm_1")))).toBe(redeemKey("rdm_1"));
    expect(await value(releaseKeySql(bound("rdm_1")))).toBe(releaseKey("rdm_1"));
    expect(await value(expiryKeySql(bound("mem_1"), expiryKeySuffix("2024-05-01")))).toBe(expiryKey("mem_1", "2024-05-01"));
    expect(await value(sql`${redemptionKey("9001", "sig")} || ${quantitySuffixSql("5")}`)).toBe("redeem:9001:sig:5");
    expect(await value(failedRedemptionKeySql(bound(redemptionKey("9001", "sig")), bound("rdm_1")))).toBe("redeem:9001:sig:failed:rdm_1");
  });

  it("tell an order's refund keys from another order's", async () => {
    const isRefund = (key: string, orderId: string) => value(isRefundKeyOf(bound(key), bound(orderId)));
    expect(await isRefund(refundKey("9001", "77"), "9001")).toBe(1);
    expect(await isRefund(refundKey("9001", "#0"), "9001")).toBe(1);
    expect(await isRefund(refundKey("90012", "77"), "9001")).toBe(0);
    expect(await isRefund(refundKey("900", "77"), "9001")).toBe(0);
    expect(await isRefund(earnKey("9001"), "9001")).toBe(0);
  });
});
