import { createApiKey } from "../src/storage/api-keys";
import { db, getJson, ORIGIN } from "./harness";

export async function adminKey(companyId: string, name = "Test key"): Promise<string> {
  return (await createApiKey(db, { companyId, name })).key;
}

export function admin(key: string | null, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = {};
  if (key !== null) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  return getJson(`${ORIGIN}/admin/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
}

export const requestId = /^req_[0-9a-z]{16}$/;
