import type { Context } from "hono";
import type { NotificationSettings } from "../../loyalty/notifications/settings";
import { notificationKinds } from "../../storage/schema";
import type { DashboardEnv } from "../env";
import { CheckboxField, FormProblems, PostForm, TextField, type FormState } from "../forms";
import { messageKindLabels } from "./message-labels";
import type { FormMapping } from "./programme-forms";

// The Programme page's "Messages to members" form (PATCH /admin/v1/notifications/settings's
// NotificationSettingsPatch, saved by updateNotificationSettings): which kinds are sent, and the
// name they come from.

export const messagesMapping: FormMapping = {
  fields: { sender_name: "nullableString", welcome: "boolean", reward_ready: "boolean", points_expiring: "boolean", card_link: "boolean" },
};

export const SENDING_NOT_SET_UP = "Email sending is not set up for this service: no messages are sent.";

export function messagesFormValues(s: NotificationSettings): Record<string, string> {
  const values: Record<string, string> = { sender_name: s.senderName ?? "" };
  for (const kind of notificationKinds) values[kind] = s.kinds[kind] ? "true" : "false";
  return values;
}

export function MessagesSection(props: { c: Context<DashboardEnv>; form: FormState; settings: NotificationSettings; sendingConfigured: boolean }) {
  const { c, form, settings } = props;
  const companyName = c.get("companyName");
  return (
    <section class="card" aria-labelledby="messages-title" id="messages">
      <h2 id="messages-title">Messages to members</h2>
      <p>
        Emails to your members about their points and rewards. Only members with an email who agreed to them (the box on their page, or when they join)
        are sent a welcome, a reward ready or points expiring message; a card link is sent only when someone asks for it.
      </p>
      {props.sendingConfigured ? null : (
        <p class="notice warn" data-figure="messages-not-set-up">
          {SENDING_NOT_SET_UP}
        </p>
      )}
      <FormProblems form={form} />
      <PostForm c={c} action="/dashboard/programme/messages" label="Messages to members">
        <fieldset>
          <legend>What is sent</legend>
          {notificationKinds.map((kind) => (
            <CheckboxField form={form} idPrefix="msg" name={kind} label={messageKindLabels[kind].name} hint={messageKindLabels[kind].what} />
          ))}
        </fieldset>
        <TextField
          form={form}
          idPrefix="msg"
          name="sender_name"
          label="Sent from the name (optional)"
          maxlength={100}
          hint={`The name members see the emails come from; leave it empty for your company's name: ${companyName}.`}
        />
        <p class="muted">
          What was sent, and what could not be: <a href="/dashboard/activity/messages">Activity, Messages</a>. Now sent from:{" "}
          <span data-figure="messages-sender">{settings.effectiveSenderName}</span>.
        </p>
        <div class="actions">
          <button type="submit">Save the messages</button>
        </div>
      </PostForm>
    </section>
  );
}
