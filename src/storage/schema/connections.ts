import { integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { companies } from "./companies";

// A company's Kounta connection (OAuth tokens, its webhook) and the OAuth flow's states.

export const kountaConnections = sqliteTable("kounta_connections", {
  companyId: text("company_id")
    .primaryKey()
    .references(() => companies.id),
  status: text("status", { enum: ["connected", "disconnected"] }).notNull(),
  accessToken: text("access_token"),
  refreshToken: text("refresh_token"),
  accessTokenExpiresAt: integer("access_token_expires_at"),
  // A short lease so only one request refreshes a company's tokens at a time (Kounta may rotate the
  // refresh token: two racing refreshes would leave one of them holding a dead token).
  refreshLockUntil: integer("refresh_lock_until"),
  // The tokens encrypted at rest (AES-GCM, "<key id>.<iv>.<ciphertext>" in base64url); they replace
  // access_token / refresh_token, which stay empty once a company connects through OAuth.
  accessTokenCiphertext: text("access_token_ciphertext"),
  refreshTokenCiphertext: text("refresh_token_ciphertext"),
  // The orders/completed webhook registered at connection time, and the hash of its secret header.
  webhookId: text("webhook_id"),
  webhookSecretHash: text("webhook_secret_hash"),
  disconnectedAt: integer("disconnected_at"),
  connectedAt: integer("connected_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

// OAuth `state` values: single use, a few minutes. In D1 (not KV): single use needs a strong read.
export const oauthStates = sqliteTable("oauth_states", {
  state: text("state").primaryKey(),
  createdAt: integer("created_at").notNull(),
  expiresAt: integer("expires_at").notNull(),
  usedAt: integer("used_at"),
  // What the visitor was doing: "connect" (/connect) or "sign_in" (the dashboard's sign-in).
  purpose: text("purpose", { enum: ["connect", "sign_in"] }).notNull().default("connect"),
});
