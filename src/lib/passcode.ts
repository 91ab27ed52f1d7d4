import { base64Url } from "./crypto";

// A short secret a person types (the manager code), kept only as a salted PBKDF2-SHA-256 hash:
// "pbkdf2$<iterations>$<salt>$<hash>", base64url. Checking compares in constant time.

const ITERATIONS = 100_000;

async function derive(code: string, salt: Uint8Array, iterations: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(code), "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, 256);
  return new Uint8Array(bits);
}

/** Null for text that is not base64url (a stored value we did not write must not throw). */
function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]+$/.test(text)) return null;
  try {
    return Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/")), (ch) => ch.charCodeAt(0));
  } catch {
    return null;
  }
}

export async function hashPasscode(code: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  return `pbkdf2$${ITERATIONS}$${base64Url(salt)}$${base64Url(await derive(code, salt, ITERATIONS))}`;
}

export async function verifyPasscode(code: string, stored: string | null): Promise<boolean> {
  const parts = stored?.split("$");
  if (!parts || parts.length !== 4 || parts[0] !== "pbkdf2") return false;
  const iterations = Number(parts[1]);
  // Never more than we write: the Workers runtime derives at most 100,000 (more is an error there).
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > ITERATIONS) return false;
  const expected = fromBase64Url(parts[3]!);
  const salt = fromBase64Url(parts[2]!);
  if (!expected || !salt) return false;
  const actual = await derive(code, salt, iterations);
  if (actual.length !== expected.length) return false;
  let diff = 0;
  for (let i = 0; i < actual.length; i++) diff |= actual[i]! ^ expected[i]!;
  return diff === 0;
}
