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

/** The codes in the order above (the OpenAPI document's enum, src/admin/schemas.ts). */
export const adminErrorCodeList = Object.keys(adminErrorCodes) as [AdminErrorCode, ...AdminErrorCode[]];

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
