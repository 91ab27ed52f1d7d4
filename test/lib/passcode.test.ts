import { describe, expect, it } from "vitest";
import { hashPasscode, verifyPasscode } from "../../src/lib/passcode";

// The manager code, kept only as "pbkdf2$<iterations>$<salt>$<hash>" (PBKDF2-SHA-256, base64url).

const FORMAT = /^pbkdf2\$100000\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/;

describe("hashPasscode", () => {
  it("writes pbkdf2, 100,000 iterations, a 16-byte salt and a 32-byte hash; never the code", async () => {
    const hash = await hashPasscode("482913");
    expect(hash).toMatch(FORMAT);
    expect(hash).not.toContain("482913");
  });

  it("salts each hash: the same code twice is two hashes, both right", async () => {
    const [a, b] = await Promise.all([hashPasscode("482913"), hashPasscode("482913")]);
    expect(a).not.toBe(b);
    expect(a.split("$")[2]).not.toBe(b.split("$")[2]);
    expect(await verifyPasscode("482913", a)).toBe(true);
    expect(await verifyPasscode("482913", b)).toBe(true);
  });
});

describe("verifyPasscode", () => {
  it("the code is right; any other is not, however close", async () => {
    const hash = await hashPasscode("0482");
    expect(await verifyPasscode("0482", hash)).toBe(true);
    for (const wrong of ["482", "04820", "0483", " 0482", "0482 ", ""]) expect(await verifyPasscode(wrong, hash)).toBe(false);
  });

  it("no code set: never right", async () => {
    expect(await verifyPasscode("1234", null)).toBe(false);
  });

  it("a stored value that is not one of ours is never right, and never throws", async () => {
    const hash = await hashPasscode("1234");
    const [, iterations, salt, derived] = hash.split("$");
    const tampered = [
      "",
      "1234",
      `sha256$${iterations}$${salt}$${derived}`,
      `pbkdf2$${iterations}$${salt}`,
      `pbkdf2$${iterations}$${salt}$${derived}$extra`,
      `pbkdf2$abc$${salt}$${derived}`,
      `pbkdf2$0$${salt}$${derived}`,
      `pbkdf2$-5$${salt}$${derived}`,
      `pbkdf2$1.5$${salt}$${derived}`,
      `pbkdf2$99999$${salt}$${derived}`,
      // More than the Workers runtime derives (100,000): refused, not a thrown error.
      `pbkdf2$200000$${salt}$${derived}`,
      `pbkdf2$5000000$${salt}$${derived}`,
      `pbkdf2$${iterations}$${salt}$${derived!.slice(0, 20)}`,
      `pbkdf2$${iterations}$${salt}$${derived!.replace(/^./, (c) => (c === "A" ? "B" : "A"))}`,
      `pbkdf2$${iterations}$not base64!$${derived}`,
      `pbkdf2$${iterations}$${salt}$***`,
    ];
    for (const stored of tampered) expect([stored, await verifyPasscode("1234", stored)]).toEqual([stored, false]);
  });
});
