import type { Context } from "hono";
import type { FormFieldKind } from "../../admin/inputs";
import { MAX_ICON_BYTES } from "../../loyalty/members/member-icons";
import type { Member } from "../../storage/schema";
import type { DashboardEnv } from "../env";
import { CheckboxField, FileField, FormProblems, PostForm, TextField, type FormState } from "../forms";
import { count, memberName } from "../format";

// The forms of the members pages. Each posts to its own address; the handlers (members.tsx and
// member-actions.tsx) validate with the admin API's schemas, through these field kinds.

/** A new member (NewMember): a blank optional field is simply not sent. */
export const NEW_MEMBER_FIELDS: Record<string, FormFieldKind> = {
  first_name: "string",
  last_name: "optionalString",
  email: "optionalString",
  phone: "optionalString",
  card_number: "optionalString",
  email_consent: "boolean",
};

/** The details form (MemberPatch) sends every field: a blank optional one clears it (null). */
export const DETAIL_FIELDS: Record<string, FormFieldKind> = {
  first_name: "string",
  last_name: "nullableString",
  email: "nullableString",
  phone: "nullableString",
  card_number: "nullableString",
  email_consent: "boolean",
};

export const ADJUST_FIELDS: Record<string, FormFieldKind> = {
  points: "int",
  reason: "string",
  counts_toward_tier: "boolean",
  idempotency_key: "optionalString",
};

export const memberPath = (id: string) => `/dashboard/members/${encodeURIComponent(id)}`;

/** The details form's starting values: the member as stored. */
export function detailValues(m: Member): Record<string, string> {
  return {
    first_name: m.firstName,
    last_name: m.lastName ?? "",
    email: m.email ?? "",
    phone: m.phone ?? "",
    card_number: m.cardNumber ?? "",
    email_consent: m.emailConsent ? "true" : "false",
    // What the box showed when the page was drawn: the post changes the consent only if the box was
    // changed (or the email was), so a page left open cannot undo the member's own unsubscribe.
    email_consent_was: m.emailConsent ? "true" : "false",
  };
}

/**
 * A fresh key for one adjustment form: sending the same form twice (a double click, a reload that
 * posts again) gives adjustPoints the same idempotency key, so the balance changes once.
 */
export function newAdjustmentForm(): FormState {
  return { values: { idempotency_key: `dashboard_${crypto.randomUUID()}` }, errors: {} };
}

function ContactFields(props: { form: FormState; idPrefix: string }) {
  const { form, idPrefix } = props;
  return (
    <>
      <div class="grid2">
        <TextField form={form} idPrefix={idPrefix} name="first_name" label="First name" required autocomplete="off" maxlength={100} />
        <TextField form={form} idPrefix={idPrefix} name="last_name" label="Last name (optional)" autocomplete="off" maxlength={100} />
      </div>
      <TextField form={form} idPrefix={idPrefix} name="email" label="Email" type="email" autocomplete="off" maxlength={254} />
      <TextField form={form} idPrefix={idPrefix} name="phone" label="Phone" type="tel" autocomplete="off" maxlength={40} />
      <TextField
        form={form}
        idPrefix={idPrefix}
        name="card_number"
        label="Loyalty card number"
        autocomplete="off"
        maxlength={64}
        hint="Spaces and dashes do not matter: 100 200 300 and 100-200-300 are the same card."
      />
      <CheckboxField
        form={form}
        idPrefix={idPrefix}
        name="email_consent"
        label="Agreed to emails about their points and rewards"
        hint="Tick it only if the member said yes. Without it they are never emailed a welcome, a reward they can afford or points about to expire."
      />
    </>
  );
}

export function NewMemberForm(props: { c: Context<DashboardEnv>; form: FormState }) {
  return (
    <PostForm c={props.c} action="/dashboard/members" label="Add a member">
      <FormProblems form={props.form} />
      <p class="muted">A first name, and at least one of an email, a phone number or a card number, so the till can find them.</p>
      <ContactFields form={props.form} idPrefix="n" />
      <div class="actions">
        <button type="submit">Add the member</button>
        <a href="/dashboard/members">Cancel</a>
      </div>
    </PostForm>
  );
}

export function DetailsForm(props: { c: Context<DashboardEnv>; member: Member; form: FormState }) {
  return (
    <PostForm c={props.c} action={memberPath(props.member.id)} label="Details">
      <FormProblems form={props.form} />
      <input type="hidden" name="email_consent_was" value={props.form.values.email_consent_was ?? (props.member.emailConsent ? "true" : "false")} />
      <ContactFields form={props.form} idPrefix="d" />
      <p class="muted">Clearing a field removes it; a member keeps at least one of an email, a phone number or a card number.</p>
      <div class="actions">
        <button type="submit">Save the details</button>
      </div>
    </PostForm>
  );
}

export function AdjustForm(props: {
  c: Context<DashboardEnv>;
  member: Member;
  form: FormState;
  pointsLabel: string;
  /** The company's large_adjustment_points: more than this needs manager mode. */
  largeAdjustment?: number | null;
  manager?: boolean;
  /** Offer to count the change toward the member's level (tiers on the points basis). */
  countsTowardTier?: boolean;
}) {
  const { member, form, pointsLabel } = props;
  const large = props.largeAdjustment ?? null;
  if (member.status !== "active") {
    return <p class="muted">This member is inactive: reactivate them to change their {pointsLabel}.</p>;
  }
  return (
    <PostForm c={props.c} action={`${memberPath(member.id)}/adjust`} label={`Change ${pointsLabel}`}>
      <FormProblems form={form} />
      <input type="hidden" name="idempotency_key" value={form.values.idempotency_key ?? ""} />
      <TextField
        form={form}
        idPrefix="a"
        name="points"
        label={`${pointsLabel} to add or take away`}
        type="number"
        step="1"
        required
        hint={`A negative number takes ${pointsLabel} away (for example -50). A balance never goes below zero.`}
      />
      <TextField form={form} idPrefix="a" name="reason" label="Reason" required maxlength={200} hint="Kept in the history, for example “Coffee spilt, sorry”." />
      {props.countsTowardTier ? (
        <CheckboxField
          form={form}
          idPrefix="a"
          name="counts_toward_tier"
          label="Count toward the member's level"
          hint={`Unticked, a change by hand never moves the member's level; ticked, it counts as ${pointsLabel} earned on a sale would.`}
        />
      ) : null}
      {large !== null ? (
        <p class="muted" data-figure="large-adjustment">
          {props.manager
            ? `This session is in manager mode: it may change more than ${count(large)} ${pointsLabel} at once.`
            : `A change of more than ${count(large)} ${pointsLabel} at once needs manager mode (under Programme).`}
        </p>
      ) : null}
      <div class="actions">
        <button type="submit">Change the balance</button>
      </div>
    </PostForm>
  );
}

/** A new picture for the member (the file is never kept after a refusal, only the message). */
export function IconForm(props: { c: Context<DashboardEnv>; member: Member; form: FormState }) {
  const { member } = props;
  return (
    <>
      <PostForm c={props.c} action={`${memberPath(member.id)}/icon`} multipart label="Icon">
        <FileField
          form={props.form}
          idPrefix="i"
          name="icon"
          label={member.iconVersion === null ? "Add a picture" : "Replace the picture"}
          accept="image/png,image/jpeg"
          hint={`A PNG or JPEG image of at most ${MAX_ICON_BYTES / (1024 * 1024)} MB. The till shows it in a circle beside the member's name.`}
        />
        <div class="actions">
          <button type="submit" class="secondary">
            Upload
          </button>
        </div>
      </PostForm>
      {member.iconVersion !== null ? (
        <PostForm c={props.c} action={`${memberPath(member.id)}/icon/remove`} class="inline" label="Remove the picture">
          <button type="submit" class="link">
            Remove the picture
          </button>
        </PostForm>
      ) : null}
    </>
  );
}

export function StatusForm(props: { c: Context<DashboardEnv>; member: Member; form: FormState }) {
  const { member } = props;
  const name = memberName(member.firstName, member.lastName);
  if (member.status === "active") {
    return (
      <PostForm
        c={props.c}
        action={`${memberPath(member.id)}/deactivate`}
        confirm={`Deactivate ${name}? The till will no longer find them; their points and history stay.`}
        label="Deactivate"
      >
        <FormProblems form={props.form} />
        <p>The till no longer finds an inactive member nor offers them rewards. Their points and history stay, and you can reactivate them later.</p>
        <div class="actions">
          <button type="submit" class="danger">
            Deactivate {name}
          </button>
        </div>
      </PostForm>
    );
  }
  return (
    <PostForm c={props.c} action={`${memberPath(member.id)}/reactivate`} label="Reactivate">
      <FormProblems form={props.form} />
      <p>The till finds this member again, with the points and history they had.</p>
      <div class="actions">
        <button type="submit">Reactivate {name}</button>
      </div>
    </PostForm>
  );
}
