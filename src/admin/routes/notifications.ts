import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { listNotifications, type NotificationRow } from "../../loyalty/notifications/records";
import {
  getNotificationSettings,
  updateNotificationSettings,
  type NotificationSettings as SettingsRow,
} from "../../loyalty/notifications/settings";
import { notificationKinds, notificationStatuses } from "../../storage/schema";
import { adminRouter, bearerSecurity, type AdminEnv } from "../app";
import { AdminError } from "../errors";
import { NotificationListQuery, NotificationSettingsPatch, notificationSettingsPatch } from "../inputs/notifications";
import { listWindow } from "../inputs/lists";
import { errorResponses, json } from "../schemas";

// Messages to members (welcome, reward ready, points expiring, card link): which ones the company
// sends and the name they come from, and the messages themselves, newest first.

const TAGS = ["Messages to members"];

const NotificationSettings = z
  .object({
    sender_name: z.string().nullable().openapi({ description: "The name messages come from; null: the company's name", example: "Demo Café" }),
    effective_sender_name: z.string().openapi({ description: "The name they come from in the end", example: "Demo Café" }),
    welcome: z.boolean(),
    reward_ready: z.boolean(),
    points_expiring: z.boolean(),
    card_link: z.boolean(),
    sending_configured: z.boolean().openapi({ description: "Whether this service can send email at all: when false, no message is sent" }),
    updated_at: z.string().nullable().openapi({ format: "date-time", description: "null: never changed (every kind is on)" }),
  })
  .openapi("NotificationSettings");

function settingsJson(c: Context<AdminEnv>, s: SettingsRow): z.output<typeof NotificationSettings> {
  return {
    sender_name: s.senderName,
    effective_sender_name: s.effectiveSenderName,
    ...s.kinds,
    sending_configured: c.get("services").emailSender !== null,
    updated_at: s.updatedAt === null ? null : new Date(s.updatedAt).toISOString(),
  };
}

const Notification = z
  .object({
    id: z.string().openapi({ example: "ntf_3f9a0c1d2e4b5a6c7d8e" }),
    member_id: z.string(),
    member_name: z.string().openapi({ example: "John Smith" }),
    kind: z.enum(notificationKinds),
    occasion: z.string().openapi({
      description: "What makes it the one message of its kind to the member: joined, a UTC day, the expiry day and how many days before...",
      example: "joined",
    }),
    status: z.enum(notificationStatuses).openapi({
      description:
        "queued, sending, sent; failed: a send failed and is retried; dead: the retries ran out; skipped: not sent (see outcome)",
    }),
    attempts: z.number().int(),
    outcome: z.string().nullable().openapi({
      description:
        "Why it was skipped (no_sender, member_inactive, no_email, no_consent, kind_off, no_origin, nothing_to_tell) or the last failure's code",
    }),
    created_at: z.string().openapi({ format: "date-time" }),
    updated_at: z.string().openapi({ format: "date-time" }),
    sent_at: z.string().nullable().openapi({ format: "date-time" }),
  })
  .openapi("Notification");

function notificationJson(row: NotificationRow): z.output<typeof Notification> {
  return {
    id: row.id,
    member_id: row.member_id,
    member_name: [row.first_name, row.last_name].filter(Boolean).join(" "),
    kind: row.kind,
    occasion: row.occasion,
    status: row.status,
    attempts: row.attempts,
    outcome: row.outcome,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
    sent_at: row.sent_at === null ? null : new Date(row.sent_at).toISOString(),
  };
}

const settingsResponse = (description: string) => ({ description, content: { "application/json": { schema: NotificationSettings } } });

export const notificationRoutes = adminRouter()
  .openapi(
    createRoute({
      method: "get",
      path: "/notifications/settings",
      tags: TAGS,
      summary: "Read which messages members are sent",
      security: bearerSecurity,
      responses: { 200: settingsResponse("The settings"), ...errorResponses() },
    }),
    async (c) => {
      const settings = await getNotificationSettings(c.get("services").db, c.get("companyId"));
      if (!settings) throw new AdminError("not_found", "This company has no programme");
      return c.json(settingsJson(c, settings), 200);
    },
  )
  .openapi(
    createRoute({
      method: "patch",
      path: "/notifications/settings",
      tags: TAGS,
      summary: "Change which messages members are sent, and the name they come from",
      description:
        "Only members with an email who agreed to be emailed (email_consent) are sent a welcome, a reward ready or a points expiring message; " +
        "a card link is sent whenever someone asks for it. A kind turned off sends nothing more, also of the messages already queued.",
      security: bearerSecurity,
      request: {
        body: json(NotificationSettingsPatch, {
          sender: { summary: "Messages come from the café's own name", value: { sender_name: "Demo Café" } },
          kinds: { summary: "No warnings before points expire, the rest on", value: { points_expiring: false, welcome: true, reward_ready: true } },
          company: { summary: "Back to the company's name", value: { sender_name: null } },
        }),
      },
      responses: { 200: settingsResponse("The settings now"), ...errorResponses(400) },
    }),
    async (c) => {
      const patch = notificationSettingsPatch(c.req.valid("json"));
      const settings = await updateNotificationSettings(c.get("services").db, c.get("companyId"), patch);
      if (!settings) throw new AdminError("not_found", "This company has no programme");
      return c.json(settingsJson(c, settings), 200);
    },
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/notifications",
      tags: TAGS,
      summary: "Messages to members, newest first",
      description: "`from` and `to` bound when the message was recorded. `status=dead` lists the messages whose retries ran out.",
      security: bearerSecurity,
      request: { query: NotificationListQuery },
      responses: {
        200: {
          description: "A page of messages",
          content: {
            "application/json": { schema: z.object({ data: z.array(Notification), next_cursor: z.string().nullable() }).openapi("NotificationPage") },
          },
        },
        ...errorResponses(400),
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const page = await listNotifications(c.get("services").db, {
        companyId: c.get("companyId"),
        status: q.status,
        kind: q.kind,
        memberId: q.member_id,
        window: listWindow(q),
      });
      return c.json({ data: page.data.map(notificationJson), next_cursor: page.next_cursor }, 200);
    },
  );
