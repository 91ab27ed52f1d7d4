const encoder = new TextEncoder();

/** Constant-time equality of two secrets of any length: both are hashed first, so lengths leak nothing. */
export async function secretsEqual(a: string, b: string): Promise<boolean> {
  const [ha, hb] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(a)),
    crypto.subtle.digest("SHA-256", encoder.encode(b)),
  ]);
  return crypto.subtle.timingSafeEqual(ha, hb);
}

// Digests of configured secrets (the add-on keys), kept for the isolate's life: a POS call then
// hashes only what it was given.
const secretDigests = new Map<string, Promise<ArrayBuffer>>();

function configuredSecretDigest(secret: string): Promise<ArrayBuffer> {
  let digest = secretDigests.get(secret);
  if (!digest) {
    if (secretDigests.size >= 16) secretDigests.clear();
    digest = crypto.subtle.digest("SHA-256", encoder.encode(secret));
    secretDigests.set(secret, digest);
  }
  return digest;
}

/**
 * Whether `given` equals one of the configured secrets, in constant time: every candidate is
 * compared (no early exit), so timing says neither whether nor which one matched.
 */
export async function matchesConfiguredSecret(given: string, secrets: readonly string[]): Promise<boolean> {
  const [digest, ...candidates] = await Promise.all([
    crypto.subtle.digest("SHA-256", encoder.encode(given)),
    ...secrets.map(configuredSecretDigest),
  ]);
  let matched = false;
  for (const candidate of candidates) matched = crypto.subtle.timingSafeEqual(digest!, candidate) || matched;
  return matched;
}

// Imported keys are reused for the isolate's life: a lookup signs one URL per reward.
const hmacKeys = new Map<string, Promise<CryptoKey>>();

function hmacKey(key: string): Promise<CryptoKey> {
  let imported = hmacKeys.get(key);
  if (!imported) {
    imported = crypto.subtle.importKey("raw", encoder.encode(key), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    hmacKeys.set(key, imported);
  }
  return imported;
}

export async function hmacSha256(key: string, message: string): Promise<string> {
  const signature = await crypto.subtle.sign("HMAC", await hmacKey(key), encoder.encode(message));
  return base64Url(new Uint8Array(signature));
}

/**
 * SHA-256 of the text, in base64url: how every secret we hand out and check later is stored (admin
 * API keys, webhook secrets), and how an id is derived from what it names.
 */
export async function sha256Base64Url(text: string): Promise<string> {
  return base64Url(new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(text))));
}

export function base64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

const ID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";

/** A random id such as "mem_5k2x9q0c1vd8hm3t": 80 bits, lower-case, unambiguous letters. */
export function newId(prefix: string, length = 16): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let out = "";
  for (const b of bytes) out += ID_ALPHABET[b & 31];
  return `${prefix}_${out}`;
}
