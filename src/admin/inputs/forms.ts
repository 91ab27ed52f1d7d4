// HTML forms (urlencoded or multipart: every value a string, or a File) validated by the admin API's
// own schemas: formBody turns the form into the JSON-shaped body a schema expects; fieldErrors and
// adminErrorFields turn a refusal into one message per form field, worded as the admin API words it.

/** A parsed form, as Hono's `c.req.parseBody({ all: true })` gives it. */
export type FormValues = Record<string, string | File | (string | File)[]>;

/**
 * How a form field becomes a body field:
 * - string: the text as sent (an empty field is "", so the schema answers its usual "Too small");
 * - optionalString: a blank field (empty or only spaces) is left out;
 * - nullableString: a blank field is null (what clears an optional field in a patch);
 * - int, number: a number written in digits ("12", "-3", "2.5") becomes that number; a blank field is
 *   left out; anything else stays the string, so the schema answers "expected number, received string"
 *   (and an int schema given 2.5 "expected int, received number");
 * - nullableInt, nullableNumber: the same, but a blank field is null;
 * - boolean: a checkbox: "on" or "true" is true; a missing field (an unticked box), "", "off" or "false"
 *   is false (with a hidden "false" before the box, any "on"/"true" wins); anything else stays as sent.
 */
export type FormFieldKind = "string" | "optionalString" | "nullableString" | "int" | "number" | "nullableInt" | "nullableNumber" | "boolean";

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const TRUE = new Set(["on", "true"]);
const FALSE = new Set(["", "off", "false"]);

const isBlank = (value: unknown) => typeof value === "string" && value.trim() === "";

/**
 * The body of `fields` only (whatever else the form holds, a CSRF token say, is left out): give the
 * result to the schema's safeParse. A field sent more than once (other than a checkbox) stays an
 * array, which the schema refuses as the API refuses a JSON key sent twice.
 */
export function formBody(form: FormValues, fields: Record<string, FormFieldKind>): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [name, kind] of Object.entries(fields)) {
    const sent = form[name];
    const values = sent === undefined ? [] : Array.isArray(sent) ? sent : [sent];
    if (kind === "boolean") {
      const value = checkbox(values);
      if (value !== undefined) body[name] = value;
      continue;
    }
    if (values.length === 0) continue;
    const value = values.length === 1 ? values[0] : values;
    const converted = field(kind, value);
    if (converted !== undefined) body[name] = converted;
  }
  return body;
}

function field(kind: Exclude<FormFieldKind, "boolean">, value: unknown): unknown {
  switch (kind) {
    case "string":
      return value;
    case "optionalString":
      return isBlank(value) ? undefined : value;
    case "nullableString":
      return isBlank(value) ? null : value;
    case "int":
    case "number":
      return isBlank(value) ? undefined : numberOf(value);
    case "nullableInt":
    case "nullableNumber":
      return isBlank(value) ? null : numberOf(value);
  }
}

function numberOf(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const text = value.trim();
  return NUMBER.test(text) ? Number(text) : value;
}

function checkbox(values: (string | File)[]): unknown {
  const texts = values.map((v) => (typeof v === "string" ? v.trim().toLowerCase() : v));
  if (texts.some((t) => typeof t === "string" && TRUE.has(t))) return true;
  if (texts.every((t) => typeof t === "string" && FALSE.has(t))) return false;
  return values.length === 1 ? values[0] : values;
}

/** The key of a message that names no one field: a refine on the whole body, unknown fields... */
export const FORM_ERROR = "_form";

/**
 * Zod issues as one message per top-level field (the first issue of each), worded as the admin API
 * words them (src/lib/validation.ts) without the "path: " in front; an issue with an empty path goes
 * under "_form".
 */
export function fieldErrors(issues: readonly { path: readonly PropertyKey[]; message: string }[]): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of issues) {
    const key = issue.path.length === 0 ? FORM_ERROR : String(issue.path[0]);
    if (!(key in errors)) errors[key] = issue.message;
  }
  return errors;
}

// "field: message" or "field.0.sub: message", where field is a body field's name (snake_case);
// anything else ("Not enough points: 320 of 500", "a, b: Not a field...") names no one field.
const FIELD_MESSAGE = /^([a-z][a-z0-9_]*)(?:\.[^\s:]+)*: ([\s\S]+)$/;

/**
 * An AdminError (or any error in the admin API's "field: message" form) as fieldErrors answers:
 * { field: message }, or { _form: the whole message } when it names no one field.
 */
export function adminErrorFields(error: { message: string }): Record<string, string> {
  const match = FIELD_MESSAGE.exec(error.message);
  return match ? { [match[1]!]: match[2]! } : { [FORM_ERROR]: error.message };
}
