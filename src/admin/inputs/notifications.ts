import { z } from "@hono/zod-openapi";
import type { NotificationSettingsPatch as SettingsPatchInput } from "../../loyalty/notifications/settings";
import { notificationKinds, notificationStatuses } from "../../storage/schema";
import { atLeastOneField, unknownFields } from "../schemas";
import { ListQuery } from "./lists";

// Messages to members: what the company sends (PATCH /notifications/settings) and the query of
// their list (GET /notifications; the dashboard's Messages page takes the same filters).

const kindSwitch = (description: string) => z.boolean().optional().openapi({ description: `${description}. On until turned off` });

export const NotificationSettingsPatch = z
  .strictObject(
    {
      sender_name: z
        .string()
        .trim()
        .min(1)
        .max(100)
        // It becomes an email header's display name: no control characters, line or paragraph
        // separators, or direction overrides (which can make a name read as something else).
        .refine((name) => !/[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069]/u.test(name), "Use letters, numbers, spaces and punctuation only")
        .nullable()
        .optional()
        .openapi({ description: "The name messages come from; null: the company's name", example: "Demo Café" }),
      welcome: kindSwitch("A welcome to a member who joins, or is added, with an email and their consent"),
      reward_ready: kindSwitch("A message when a member's balance first reaches a reward (at most one a day)"),
      points_expiring: kindSwitch("A warning 30 days and 1 day before a member's points expire"),
      card_link: kindSwitch("The link to the member's own card page, when they ask for it to be emailed (the join page's \"Send me my card link\")"),
    },
    unknownFields((keys) => `${keys.join(", ")}: Not a message setting`),
  )
  .refine(...atLeastOneField)
  .openapi("NotificationSettingsPatch");

export type NotificationSettingsPatchBody = z.infer<typeof NotificationSettingsPatch>;

/** What updateNotificationSettings takes for a valid body (what was not sent stays undefined: kept). */
export function notificationSettingsPatch(body: NotificationSettingsPatchBody): SettingsPatchInput {
  const patch: SettingsPatchInput = {};
  if (body.sender_name !== undefined) patch.senderName = body.sender_name;
  for (const kind of notificationKinds) if (body[kind] !== undefined) patch[kind] = body[kind];
  return patch;
}

/** GET /notifications: the list window, a status, a kind and a member. */
export const NotificationListQuery = ListQuery.extend({
  status: z.enum(notificationStatuses).optional().openapi({ param: { name: "status", in: "query" }, description: "dead: the retries ran out" }),
  kind: z.enum(notificationKinds).optional().openapi({ param: { name: "kind", in: "query" } }),
  member_id: z.string().min(1).max(64).optional().openapi({ param: { name: "member_id", in: "query" } }),
});

export type NotificationListQueryParams = z.infer<typeof NotificationListQuery>;
