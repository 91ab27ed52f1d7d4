import type { z } from "@hono/zod-openapi";
import { adminErrorFields, fieldErrors, FORM_ERROR, formBody, type FormFieldKind, type FormValues } from "../../admin/inputs";
import { keptValues } from "../forms";

// The form mapping the rewards and programme pages share, on top of the admin API's formBody (the
// schemas stay the admin API's own):
// - money is typed as an amount in the company's currency ("5.00") and becomes the cents the schema
//   takes; text that is no such amount is refused here, since the schema never sees what was typed;
// - a number the form requires is refused when left blank (formBody leaves a blank number out, which
//   a patch schema would read as "not sent" and quietly keep the old value);
// - the schema's messages go back to the form's own field names (amount, not amount_cents).

export interface FormMapping {
  /** Body field -> how formBody reads it (the form field has the same name). */
  fields: Record<string, FormFieldKind>;
  /** Form field typed as money -> the body field of cents it becomes. */
  money?: Record<string, string>;
  /** Form fields that must not be left blank. */
  required?: string[];
}

export const MUST_NOT_BE_EMPTY = "Must not be empty";
export const NOT_AN_AMOUNT = "Must be an amount such as 5.00";

const AMOUNT = /^(\d{1,10})(?:\.(\d{1,2}))?$/;

const isBlank = (value: unknown) => value === undefined || (typeof value === "string" && value.trim() === "");

/** "5", "5.5", "5.00", "$5.00" -> cents (exactly: no floating point on the way); anything else null. */
export function centsOf(text: string): number | null {
  const match = AMOUNT.exec(text.trim().replace(/^[$€£]\s*/, ""));
  if (!match) return null;
  return Number(match[1]) * 100 + Number((match[2] ?? "0").padEnd(2, "0"));
}

/** Cents as a money field shows them: "5.00" (the label names the currency). */
export const amountText = (cents: number) => (cents / 100).toFixed(2);

/** What was typed, to draw the form again, each checkbox as formBody reads it ("true" or "false"). */
export function keptFormValues(form: FormValues, mapping: FormMapping): Record<string, string> {
  const values = keptValues(form);
  for (const [name, kind] of Object.entries(mapping.fields)) {
    if (kind === "boolean") values[name] = formBody(form, { [name]: kind })[name] === true ? "true" : "false";
  }
  return values;
}

export type Validated<T> = { ok: true; data: T } | { ok: false; errors: Record<string, string> };

/** The form through the admin API's schema: its output, or one message per form field. */
export function validateForm<S extends z.ZodType>(schema: S, form: FormValues, mapping: FormMapping): Validated<z.output<S>> {
  const body = formBody(form, mapping.fields);
  const own: Record<string, string> = {};
  for (const name of mapping.required ?? []) if (isBlank(form[name])) own[name] = MUST_NOT_BE_EMPTY;
  for (const [name, target] of Object.entries(mapping.money ?? {})) {
    const sent = form[name];
    if (isBlank(sent)) continue;
    const cents = typeof sent === "string" ? centsOf(sent) : null;
    if (cents === null) own[name] = NOT_AN_AMOUNT;
    else body[target] = cents;
  }
  const parsed = schema.safeParse(body);
  const errors = { ...(parsed.success ? {} : formErrors(parsed.error.issues, mapping)), ...own };
  if (parsed.success && Object.keys(errors).length === 0) return { ok: true, data: parsed.data };
  return { ok: false, errors };
}

/**
 * fieldErrors under the form's names. A message of the whole body that names a field of the form
 * ("multiplier: Not a field of ...", from a strict object) goes next to that field.
 */
export function formErrors(issues: readonly { path: readonly PropertyKey[]; message: string }[], mapping: FormMapping): Record<string, string> {
  const formName = new Map(Object.entries(mapping.money ?? {}).map(([name, target]) => [target, name]));
  const known = new Set([...Object.keys(mapping.fields), ...formName.keys()]);
  const errors: Record<string, string> = {};
  for (const [field, message] of Object.entries(fieldErrors(issues))) {
    const [key, text] = field === FORM_ERROR ? Object.entries(adminErrorFields({ message }))[0]! : [field, message];
    const name = known.has(key) ? (formName.get(key) ?? key) : FORM_ERROR;
    const shown = known.has(key) ? text : message;
    if (!(name in errors)) errors[name] = shown;
  }
  return errors;
}
