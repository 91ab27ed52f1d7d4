import { describe, expect, it } from "vitest";
import { isEncryptedToken, parseTokenKeys, TokenCipher } from "../../src/lib/token-crypto";
import { tokenContext } from "../../src/storage/kounta-connections";

const key = (byte: number) => btoa(String.fromCharCode(...new Uint8Array(32).fill(byte)));
const context = tokenContext("456", "access_token");

describe("token encryption at rest", () => {
  it("rotates: the first key encrypts, every listed key decrypts", async () => {
    const old = TokenCipher.fromSecret(`k1:${key(1)}`);
    const rotated = TokenCipher.fromSecret(`k2:${key(2)},k1:${key(1)}`);
    const before = await old.encrypt("access-token-1", context);
    expect(before).toMatch(/^k1\./);
    expect(await rotated.decrypt(before, context)).toBe("access-token-1");
    const after = await rotated.encrypt("access-token-1", context);
    expect(after).toMatch(/^k2\./);
    await expect(old.decrypt(after, context)).rejects.toThrow("encrypted with key k2, which TOKEN_ENCRYPTION_KEYS no longer lists");
  });

  it("never gives the same ciphertext twice, and a tampered one does not decrypt", async () => {
    const cipher = TokenCipher.fromSecret(`k1:${key(1)}`);
    const [a, b] = await Promise.all([cipher.encrypt("same", context), cipher.encrypt("same", context)]);
    expect(a).not.toBe(b);
    expect(isEncryptedToken(a)).toBe(true);
    const tampered = a.slice(0, -2) + (a.endsWith("AA") ? "BB" : "AA");
    await expect(cipher.decrypt(tampered, context)).rejects.toThrow("does not decrypt with key k1");
  });

  it("tells plaintext legacy tokens from ciphertext", () => {
    expect(isEncryptedToken("dev-access-token-456")).toBe(false);
    expect(isEncryptedToken("at_4e3b5ebab575caa7db1381e6f10e3f7b35")).toBe(false);
  });

  it.each([
    ["", 'must list at least one "<key id>:<base64 32-byte key>"'],
    [key(1), 'key 1 needs an id of letters, digits, "-" or "_" before ":"'],
    [`a.b:${key(1)}`, 'key 1 needs an id of letters, digits, "-" or "_" before ":"'],
    [`k1:${key(1)},k1:${key(2)}`, "key id k1 is listed twice"],
    ["k1:%%%", "key k1 is not valid base64"],
    [`k1:${btoa("too short")}`, "key k1 must be 32 bytes (it is 9)"],
  ])("rejects TOKEN_ENCRYPTION_KEYS %j without echoing the key", (secret, message) => {
    expect(() => parseTokenKeys(secret)).toThrow(message);
  });
});
