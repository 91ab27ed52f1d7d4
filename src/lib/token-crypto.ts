import { base64Url } from "./crypto";

// Kounta OAuth tokens at rest: AES-256-GCM through WebCrypto. TOKEN_ENCRYPTION_KEYS lists
// "<key id>:<base64 32-byte key>" separated by commas; the first key encrypts and every listed key
// decrypts, so a key is rotated by putting a new one first and dropping the old one once no row
// holds a token it encrypted. Stored form: "<key id>.<iv>.<ciphertext>" (base64url). The additional
// data (the `context`, src/storage/kounta-connections.ts tokenContext) names the company and the
// column: a ciphertext copied into another row does not decrypt.

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const STORED_FORM = /^([A-Za-z0-9_-]{1,32})\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{22,})$/;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class TokenDecryptError extends Error {
  override name = "TokenDecryptError";
}

/** The keys in TOKEN_ENCRYPTION_KEYS; the error messages never include a key. */
export function parseTokenKeys(secret: string): { id: string; raw: Uint8Array }[] {
  const entries = secret.split(",").map((e) => e.trim()).filter(Boolean);
  if (entries.length === 0) throw new Error('must list at least one "<key id>:<base64 32-byte key>"');
  const seen = new Set<string>();
  return entries.map((entry, i) => {
    const colon = entry.indexOf(":");
    const id = colon > 0 ? entry.slice(0, colon) : "";
    if (!KEY_ID.test(id)) throw new Error(`key ${i + 1} needs an id of letters, digits, "-" or "_" before ":"`);
    if (seen.has(id)) throw new Error(`key id ${id} is listed twice`);
    seen.add(id);
    let raw: Uint8Array;
    try {
      raw = fromBase64(entry.slice(colon + 1).trim());
    } catch {
      throw new Error(`key ${id} is not valid base64`);
    }
    if (raw.length !== 32) throw new Error(`key ${id} must be 32 bytes (it is ${raw.length})`);
    return { id, raw };
  });
}

/** Whether a stored token is in our encrypted form (rows written before encryption hold plaintext). */
export function isEncryptedToken(stored: string): boolean {
  return STORED_FORM.test(stored);
}

export class TokenCipher {
  private static readonly bySecret = new Map<string, TokenCipher>();
  private readonly keys: Map<string, Promise<CryptoKey>>;
  private readonly encryptingKeyId: string;

  private constructor(secret: string) {
    const parsed = parseTokenKeys(secret);
    this.encryptingKeyId = parsed[0]!.id;
    this.keys = new Map(
      parsed.map(({ id, raw }) => [id, crypto.subtle.importKey("raw", raw, { name: "AES-GCM" }, false, ["encrypt", "decrypt"])]),
    );
  }

  /** One cipher per secret for the isolate's life (imported keys are reused). */
  static fromSecret(secret: string): TokenCipher {
    let cipher = TokenCipher.bySecret.get(secret);
    if (!cipher) {
      cipher = new TokenCipher(secret);
      TokenCipher.bySecret.set(secret, cipher);
    }
    return cipher;
  }

  async encrypt(plaintext: string, context: string): Promise<string> {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const key = await this.keys.get(this.encryptingKeyId)!;
    const ciphertext = await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: encoder.encode(context) },
      key,
      encoder.encode(plaintext),
    );
    return `${this.encryptingKeyId}.${base64Url(iv)}.${base64Url(new Uint8Array(ciphertext))}`;
  }

  async decrypt(stored: string, context: string): Promise<string> {
    const match = STORED_FORM.exec(stored);
    if (!match) throw new TokenDecryptError("The stored token is not in the encrypted form");
    const [, keyId, iv, ciphertext] = match as unknown as [string, string, string, string];
    const key = this.keys.get(keyId);
    if (!key) throw new TokenDecryptError(`The stored token was encrypted with key ${keyId}, which TOKEN_ENCRYPTION_KEYS no longer lists`);
    try {
      const plaintext = await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: fromBase64(iv), additionalData: encoder.encode(context) },
        await key,
        fromBase64(ciphertext),
      );
      return decoder.decode(plaintext);
    } catch {
      throw new TokenDecryptError(`The stored token does not decrypt with key ${keyId}`);
    }
  }
}

/** Standard or URL-safe base64, padded or not. */
function fromBase64(text: string): Uint8Array {
  const standard = text.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(standard + "=".repeat((4 - (standard.length % 4)) % 4));
  return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
}
