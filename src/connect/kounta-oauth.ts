import { z } from "zod";
import { KountaApiError } from "../kounta-api/errors";
import { answerFailure, fetchKounta, readAnswer } from "../kounta-api/http";
import { tokenResponseSchema } from "../kounta-api/types";

// The Kounta calls of connecting, made with the tokens just granted (nothing is stored yet, so the
// token store's refresh does not apply), through the client's own fetch and failures (../kounta-api/http.ts).

const CALL_TIMEOUT_MS = 8_000;

export interface KountaOAuthClient {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  fetch?: typeof fetch;
}

export type GrantedTokens = z.output<typeof tokenResponseSchema>;

const companySchema = z
  .looseObject({ id: z.union([z.string(), z.number()]).optional(), id_str: z.string().optional(), name: z.string().min(1) })
  .transform((c) => ({ id: c.id_str ?? (c.id === undefined ? "" : String(c.id)), name: c.name }))
  .refine((c) => /^\d+$/.test(c.id), "a Kounta company id");

async function send(client: KountaOAuthClient, path: string, init: RequestInit): Promise<{ res: Response; body: unknown }> {
  const url = `${client.baseUrl.replace(/\/+$/, "")}${path}`;
  const headers = { Accept: "application/json", ...init.headers };
  const res = await fetchKounta(client.fetch ?? fetch, url, { ...init, headers, redirect: "manual" }, CALL_TIMEOUT_MS);
  const { json: body } = await readAnswer(res, init.method ?? "GET");
  if (res.status === 429) throw new KountaApiError("rate_limited", "Kounta is rate limiting us", 429);
  const failure = answerFailure(res.status, body);
  if (failure) throw failure;
  return { res, body };
}

/** The authorization_code grant. Kounta refusing the code (spent, expired, unknown) is a "refused". */
export async function exchangeCode(client: KountaOAuthClient, code: string, redirectUri: string): Promise<GrantedTokens> {
  const { body } = await send(client, "/token", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code,
      client_id: client.clientId,
      client_secret: client.clientSecret,
      redirect_uri: redirectUri,
    }).toString(),
  });
  const tokens = tokenResponseSchema.safeParse(body);
  if (!tokens.success) throw new KountaApiError("refused", "Kounta sent tokens we could not read");
  return tokens.data;
}

/** The company the token belongs to (GET /companies/me). */
export async function readOwnCompany(client: KountaOAuthClient, accessToken: string): Promise<{ id: string; name: string }> {
  const { body } = await send(client, "/companies/me.json", { headers: { Authorization: `Bearer ${accessToken}` } });
  const company = companySchema.safeParse(body);
  if (!company.success) throw new KountaApiError("refused", "Kounta sent a company we could not read");
  return company.data;
}

/** Registers a webhook; answers its id, read from the Location of the 201. */
export async function registerWebhook(
  client: KountaOAuthClient,
  accessToken: string,
  companyId: string,
  webhook: { topic: string; address: string; headers: Record<string, string> },
): Promise<string> {
  const { res } = await send(client, `/companies/${encodeURIComponent(companyId)}/webhooks.json`, {
    method: "POST",
    headers: { Authorization: `Bearer ${accessToken}`, "Content-Type": "application/json" },
    body: JSON.stringify({ ...webhook, format: "json" }),
  });
  const id = /\/webhooks\/(\d+)(?:\.json)?\/?$/.exec(new URL(res.headers.get("location") ?? "", "http://x").pathname)?.[1];
  if (!id) throw new KountaApiError("refused", "Kounta registered the webhook but did not say where");
  return id;
}

/** Removes a webhook; one already gone counts as removed. */
export async function deleteWebhook(client: KountaOAuthClient, accessToken: string, companyId: string, webhookId: string): Promise<void> {
  try {
    await send(client, `/companies/${encodeURIComponent(companyId)}/webhooks/${encodeURIComponent(webhookId)}.json`, {
      method: "DELETE",
      headers: { Authorization: `Bearer ${accessToken}` },
    });
  } catch (err) {
    if (err instanceof KountaApiError && err.status === 404) return;
    throw err;
  }
}
