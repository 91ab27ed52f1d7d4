import type { Child } from "hono/jsx";
import type { Context } from "hono";
import { FORM_ERROR, type FormValues } from "../admin/inputs";
import type { DashboardEnv } from "./env";
import { CsrfField } from "./layout";

// The dashboard's form parts. A refused form is drawn again with what was typed (never a password
// or a file: there are none to keep) and a message next to each field it concerns; the message's
// id is the field's aria-describedby, so a screen reader reads it with the field.

/** What a form shows: the values to put back in the fields, and a message per field name. */
export interface FormState {
  values: Record<string, string>;
  errors: Record<string, string>;
}

export const emptyForm = (values: Record<string, string> = {}): FormState => ({ values, errors: {} });

/** The text values of a posted form (files and the CSRF token left out), to draw it again. */
export function keptValues(form: FormValues): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, value] of Object.entries(form)) {
    if (name === "_csrf") continue;
    // A checkbox sends a hidden "false" first and "true" after it when ticked: the last value wins.
    const one = Array.isArray(value) ? value.filter((v) => typeof v === "string").at(-1) : value;
    if (typeof one === "string") values[name] = one;
  }
  return values;
}

export async function readForm(c: Context<DashboardEnv>): Promise<FormValues> {
  return c.req.parseBody({ all: true });
}

interface FieldProps {
  form: FormState;
  name: string;
  label: string;
  hint?: string;
  /** The id prefix when a page has the same field name in two forms. */
  idPrefix?: string;
}

function ids(p: FieldProps) {
  const id = `${p.idPrefix ?? "f"}-${p.name}`;
  return { id, hint: `${id}-hint`, error: `${id}-error` };
}

function describedBy(p: FieldProps): string | undefined {
  const { hint, error } = ids(p);
  const parts = [p.form.errors[p.name] ? error : null, p.hint ? hint : null].filter(Boolean);
  return parts.length ? parts.join(" ") : undefined;
}

function Extras(props: FieldProps) {
  const { hint, error } = ids(props);
  const message = props.form.errors[props.name];
  return (
    <>
      {message ? (
        <span class="error" id={error}>
          {message}
        </span>
      ) : null}
      {props.hint ? (
        <span class="hint" id={hint}>
          {props.hint}
        </span>
      ) : null}
    </>
  );
}

export function TextField(
  props: FieldProps & {
    /** A password field is never filled back in: its value is never in `form.values`. */
    type?: "text" | "email" | "tel" | "number" | "search" | "date" | "password";
    required?: boolean;
    autocomplete?: string;
    inputmode?: "numeric" | "decimal" | "tel" | "email" | "text";
    step?: string;
    min?: string;
    max?: string;
    maxlength?: number;
    placeholder?: string;
  },
) {
  const { id } = ids(props);
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? "text"}
        value={props.type === "password" ? undefined : (props.form.values[props.name] ?? "")}
        required={props.required}
        autocomplete={props.autocomplete}
        inputmode={props.inputmode}
        step={props.step}
        min={props.min}
        max={props.max}
        maxlength={props.maxlength}
        placeholder={props.placeholder}
        aria-invalid={props.form.errors[props.name] ? "true" : undefined}
        aria-describedby={describedBy(props)}
      />
      <Extras {...props} />
    </div>
  );
}

/** A file to upload (what was chosen cannot be put back: the browser forbids it). */
export function FileField(props: FieldProps & { accept: string }) {
  const { id } = ids(props);
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <input
        id={id}
        type="file"
        name={props.name}
        accept={props.accept}
        required
        aria-invalid={props.form.errors[props.name] ? "true" : undefined}
        aria-describedby={describedBy(props)}
      />
      <Extras {...props} />
    </div>
  );
}

export function TextArea(props: FieldProps & { rows?: number; maxlength?: number }) {
  const { id } = ids(props);
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <textarea
        id={id}
        name={props.name}
        rows={props.rows ?? 3}
        maxlength={props.maxlength}
        aria-invalid={props.form.errors[props.name] ? "true" : undefined}
        aria-describedby={describedBy(props)}
      >
        {props.form.values[props.name] ?? ""}
      </textarea>
      <Extras {...props} />
    </div>
  );
}

export function SelectField(props: FieldProps & { options: Array<{ value: string; label: string }> }) {
  const { id } = ids(props);
  const current = props.form.values[props.name] ?? "";
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <select id={id} name={props.name} aria-invalid={props.form.errors[props.name] ? "true" : undefined} aria-describedby={describedBy(props)}>
        {props.options.map((o) => (
          <option value={o.value} selected={o.value === current}>
            {o.label}
          </option>
        ))}
      </select>
      <Extras {...props} />
    </div>
  );
}

/** A checkbox; a hidden "false" goes first so an unticked box is sent too. */
export function CheckboxField(props: FieldProps) {
  const { id } = ids(props);
  const value = (props.form.values[props.name] ?? "").toLowerCase();
  return (
    <div class="field">
      <div class="check">
        <input type="hidden" name={props.name} value="false" />
        <input
          id={id}
          type="checkbox"
          name={props.name}
          value="true"
          checked={value === "true" || value === "on"}
          aria-invalid={props.form.errors[props.name] ? "true" : undefined}
          aria-describedby={describedBy(props)}
        />
        <label for={id}>{props.label}</label>
      </div>
      <Extras {...props} />
    </div>
  );
}

/** The form's own message (one that names no field), and a count of the fields to fix. */
export function FormProblems(props: { form: FormState }) {
  const errors = props.form.errors;
  const fields = Object.keys(errors).filter((k) => k !== FORM_ERROR).length;
  if (!errors[FORM_ERROR] && fields === 0) return null;
  // Focused when the page opens (the script in assets.ts), so a form refused far down a long page is
  // where the browser and a screen reader take the person: the summary, then its fields below.
  return (
    <div class="notice bad" role="alert" tabindex={-1} data-problems="">
      {errors[FORM_ERROR] ? <p>{errors[FORM_ERROR]}</p> : null}
      {fields > 0 ? <p>{fields === 1 ? "One field needs a change" : `${fields} fields need a change`}: see below. Nothing was saved.</p> : null}
    </div>
  );
}

/** A form that posts to the dashboard with this session's CSRF token. */
export function PostForm(props: {
  c: Context<DashboardEnv>;
  action: string;
  children: Child;
  class?: string;
  multipart?: boolean;
  confirm?: string;
  label?: string;
}) {
  return (
    <form
      method="post"
      action={props.action}
      class={props.class ?? "stack"}
      enctype={props.multipart ? "multipart/form-data" : undefined}
      data-confirm={props.confirm}
      aria-label={props.label}
    >
      <CsrfField c={props.c} />
      {props.children}
    </form>
  );
}
