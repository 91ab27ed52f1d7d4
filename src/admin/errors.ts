import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";

// The admin API's one error envelope: {"error": {"code", "message", "request_id"}}, with a closed
// list of codes, each with its status. (Kounta-facing routes keep Kounta's own shapes.)

export const adminErrorCodes = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  kounta_unavailable: 502,
} as const satisfies Record<string, ContentfulStatusCode>;

export type AdminErrorCode = keyof typeof adminErrorCodes;

export class AdminError extends HTTPException {
  constructor(
    readonly code: AdminErrorCode,
    message: string,
  ) {
    super(adminErrorCodes[code], { message });
    this.name = "AdminError";
  }
}

export function adminErrorBody(code: AdminErrorCode, message: string, requestId: string) {
  return { error: { code, message, request_id: requestId } };
}

/** Zod issues as one line, "path: message" (the first issue; the rest follow from fixing it). */
export function validationMessage(issues: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  const issue = issues[0];
  if (!issue) return "The request is not valid";
  const path = issue.path.map(String).join(".");
  return path ? `${path}: ${issue.message}` : issue.message;
}
