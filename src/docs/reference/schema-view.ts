import { isObject, Schemas, type Doc, type Schema } from "./document";
import { esc, literal } from "./html";

// A schema as HTML: a type line, then its fields (and variants) as nested lists. Every `$ref` is
// resolved in place and its component's name shown; a schema that refers back to one being shown is
// named, not expanded again.

/** Nesting beyond this is summarised: a guard against pathological (not only cyclic) schemas. */
const MAX_DEPTH = 12;

/** Why a named schema is not expanded: it is one being shown (a cycle), or it is not in the document. */
const unexpanded = (cycle: string | undefined) => (cycle ? "(shown above)" : "(not in this document)");

/** Renders a schema as HTML: a type line, then its fields (and variants) as nested lists. */
export class SchemaView {
  private readonly schemas: Schemas;

  constructor(doc: Doc) {
    this.schemas = new Schemas(doc);
  }

  /** The whole schema, for a request or response body. */
  block(schema: unknown): string {
    const { schema: s, names, cycle, missing } = this.schemas.deref(schema);
    if (missing) return `<p>Schema <span class="schema-name">${esc(missing)}</span> (not in this document)</p>`;
    if (cycle) return `<p><span class="schema-name">${esc(cycle)}</span></p>`;
    const full = this.schemas.merged(s, names);
    const name = names.length ? `<p class="schema-name-line">Schema <span class="schema-name">${esc(names[0])}</span></p>` : "";
    const description = full.description ? `<p class="description">${esc(full.description)}</p>` : "";
    const nested = this.nested(full, names, 0);
    return `<div class="schema">${name}${description}<p class="type-line">${this.typeText(full, names)}${this.constraints(full)}</p>${nested}</div>`;
  }

  /** A short type: `string or null`, `array of Reward`, `one of 4 shapes`... */
  typeText(schema: Schema, seen: readonly string[]): string {
    if (schema.const !== undefined) return `always ${literal(schema.const)}`;
    if (Array.isArray(schema.enum)) {
      return schema.enum.length === 1 ? `always ${literal(schema.enum[0])}` : `one of <code>${esc(schema.enum.map((v) => JSON.stringify(v)).join(", "))}</code>`;
    }
    const variants = this.variants(schema);
    if (variants) return `one of ${variants.length} shapes${this.discriminator(variants, seen) ? ` (by <code>${esc(this.discriminator(variants, seen))}</code>)` : ""}`;
    const types = Array.isArray(schema.type) ? schema.type.map(String) : schema.type ? [String(schema.type)] : [];
    const main = types.filter((t) => t !== "null");
    let text: string;
    if (main.length === 1 && main[0] === "array") {
      text = `array of ${this.itemText(schema.items, seen)}`;
    } else if (main.length === 1 && main[0] === "object" && !isObject(schema.properties) && isObject(schema.additionalProperties)) {
      text = `map of string to ${this.itemText(schema.additionalProperties, seen)}`;
    } else if (main.length > 0) {
      text = main.map(esc).join(" or ");
    } else if (isObject(schema.properties)) {
      text = "object";
    } else {
      text = "any value";
    }
    if (schema.format) text += ` (${esc(schema.format)})`;
    if (types.includes("null")) text += " or null";
    return `<span class="type">${text}</span>`;
  }

  private itemText(items: unknown, seen: readonly string[]): string {
    const { schema, names, cycle, missing } = this.schemas.deref(items, seen);
    if (missing || cycle) return `<span class="schema-name">${esc(missing ?? cycle)}</span>`;
    if (names.length) return `<span class="schema-name">${esc(names[0])}</span>`;
    return this.typeText(this.schemas.merged(schema, seen), seen);
  }

  private variants(schema: Schema): unknown[] | null {
    const list = schema.oneOf ?? schema.anyOf;
    return Array.isArray(list) && list.length > 0 ? list : null;
  }

  /** The field every variant has with a single value of its own (the `kind` of a discriminated union). */
  private discriminator(variants: unknown[], seen: readonly string[]): string | null {
    const shapes = variants.map((v) => this.schemas.merged(this.schemas.deref(v, seen).schema, seen));
    const first = shapes[0]?.properties;
    if (!isObject(first)) return null;
    for (const key of Object.keys(first)) {
      const fixed = shapes.every((s) => {
        const p = isObject(s.properties) ? this.schemas.deref(s.properties[key], seen).schema : undefined;
        return p && (p.const !== undefined || (Array.isArray(p.enum) && p.enum.length === 1));
      });
      if (fixed) return key;
    }
    return null;
  }

  /** Constraints and hints, as a short sentence after the type. */
  constraints(schema: Schema): string {
    const out: string[] = [];
    const range = (min: unknown, max: unknown, unit: string) => {
      if (min !== undefined && max !== undefined) out.push(`${esc(min)} to ${esc(max)} ${unit}`);
      else if (min !== undefined) out.push(`at least ${esc(min)} ${unit}`);
      else if (max !== undefined) out.push(`at most ${esc(max)} ${unit}`);
    };
    range(schema.minLength, schema.maxLength, "characters");
    range(schema.minItems, schema.maxItems, "items");
    if (schema.minimum !== undefined) out.push(`≥ ${esc(schema.minimum)}`);
    if (schema.exclusiveMinimum !== undefined) out.push(`&gt; ${esc(schema.exclusiveMinimum)}`);
    if (schema.maximum !== undefined) out.push(`≤ ${esc(schema.maximum)}`);
    if (schema.exclusiveMaximum !== undefined) out.push(`&lt; ${esc(schema.exclusiveMaximum)}`);
    if (schema.multipleOf !== undefined) out.push(`a multiple of ${esc(schema.multipleOf)}`);
    if (typeof schema.pattern === "string") out.push(`matching <code>${esc(schema.pattern)}</code>`);
    if (schema.default !== undefined) out.push(`default ${literal(schema.default)}`);
    if (schema.additionalProperties === false && isObject(schema.properties)) out.push("no other fields");
    if (schema.example !== undefined) out.push(`e.g. ${literal(schema.example)}`);
    return out.length ? ` <span class="constraints">${out.join("; ")}</span>` : "";
  }

  /** The fields of an object, the variants of a union, the fields of an array's items: nested lists. */
  /** The fields (other than the discriminator) that every shape has, with the same schema and requiredness. */
  private commonFields(shapes: Schema[], key: string | null): string[] {
    const [first, ...rest] = shapes;
    if (!first || rest.length === 0 || !isObject(first.properties)) return [];
    const required = (s: Schema) => new Set((Array.isArray(s.required) ? s.required : []).map(String));
    const firstRequired = required(first);
    return Object.keys(first.properties).filter((field) => {
      if (field === key) return false;
      const same = JSON.stringify((first.properties as Schema)[field]);
      return rest.every((s) => isObject(s.properties) && JSON.stringify(s.properties[field]) === same && required(s).has(field) === firstRequired.has(field));
    });
  }

  private nested(
    schema: Schema,
    seen: readonly string[],
    depth: number,
    omit?: ReadonlySet<string>,
    only?: ReadonlySet<string>,
    before = "",
  ): string {
    if (depth > MAX_DEPTH) return `<p class="note">(nested further: see <a href="/openapi.json">/openapi.json</a>)</p>`;
    const variants = this.variants(schema);
    if (variants) {
      const key = this.discriminator(variants, seen);
      const shapes = variants.map((variant) => {
        const { schema: v, names, cycle, missing } = this.schemas.deref(variant, seen);
        return { names, cycle, missing, full: cycle || missing ? {} : this.schemas.merged(v, [...seen, ...names]) };
      });
      // Fields every shape has alike are listed once, before the shapes (each then shows its own).
      const common = this.commonFields(shapes.map((s) => s.full), key);
      const items = shapes.map(({ names, cycle, missing, full }, i) => {
        if (cycle || missing) return `<li class="variant"><span class="schema-name">${esc(cycle ?? missing)}</span> ${unexpanded(cycle)}</li>`;
        const fixed = key && isObject(full.properties) ? this.schemas.deref(full.properties[key], seen).schema : undefined;
        const value = fixed ? (fixed.const ?? (fixed.enum as unknown[] | undefined)?.[0]) : undefined;
        const label = key && value !== undefined ? `<code>${esc(key)}</code>: ${literal(value)}` : `Shape ${i + 1}`;
        const name = names.length ? ` <span class="schema-name">${esc(names[0])}</span>` : "";
        const description = full.description ? ` <span class="description">${esc(full.description)}</span>` : "";
        const omit = new Set([...common, ...(key ? [key] : [])]);
        const inner = this.nested(full, [...seen, ...names], depth + 1, omit);
        return `<li class="variant"><p><strong>${label}</strong>${name} — ${this.typeText(full, seen)}${this.constraints(full)}${description}</p>${inner}</li>`;
      });
      let shared = "";
      if (common.length > 0 || key) {
        const first = shapes.find((s) => !s.cycle && !s.missing)?.full ?? {};
        const values = shapes.map(({ full }) => {
          const p = key && isObject(full.properties) ? this.schemas.deref(full.properties[key], seen).schema : {};
          return p.const ?? (Array.isArray(p.enum) ? p.enum[0] : undefined);
        });
        const keyLine = key
          ? `<li><code class="field">${esc(key)}</code> <span class="required">required</span> <span class="type">one of <code>${esc(values.map((v) => JSON.stringify(v)).join(", "))}</code></span><span class="description">Chooses the shape, and the fields that go with it (below)</span></li>`
          : "";
        const only = new Set(common);
        shared = `<p class="items-line">Fields of every shape:</p>${this.nested(first, seen, depth + 1, undefined, only, keyLine)}<p class="items-line">Then, by shape:</p>`;
      }
      return `${shared}<ul class="variants">${items.join("")}</ul>`;
    }
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (types.includes("array") && schema.items !== undefined) {
      const { schema: item, names, cycle, missing } = this.schemas.deref(schema.items, seen);
      if (cycle || missing) return "";
      const full = this.schemas.merged(item, [...seen, ...names]);
      const inner = this.nested(full, [...seen, ...names], depth + 1);
      if (!inner && !full.description) return "";
      const name = names.length ? `<span class="schema-name">${esc(names[0])}</span>: ` : "";
      const description = full.description ? ` <span class="description">${esc(full.description)}</span>` : "";
      return `<div class="items"><p class="items-line">Each item: ${name}${this.typeText(full, seen)}${this.constraints(full)}${description}</p>${inner}</div>`;
    }
    if (!isObject(schema.properties) && isObject(schema.additionalProperties)) {
      const { schema: value, names, cycle, missing } = this.schemas.deref(schema.additionalProperties, seen);
      if (cycle || missing) return "";
      const full = this.schemas.merged(value, [...seen, ...names]);
      const inner = this.nested(full, [...seen, ...names], depth + 1);
      if (!inner) return "";
      const name = names.length ? `<span class="schema-name">${esc(names[0])}</span>: ` : "";
      return `<div class="items"><p class="items-line">Each value: ${name}${this.typeText(full, seen)}</p>${inner}</div>`;
    }
    if (!isObject(schema.properties)) return "";
    const required = new Set((Array.isArray(schema.required) ? schema.required : []).map(String));
    const shown = Object.entries(schema.properties).filter(([field]) => !omit?.has(field) && (!only || only.has(field)));
    if (shown.length === 0 && !before) return "";
    const fields = shown.map(([field, sub]) => {
      const { schema: p, names, cycle, missing } = this.schemas.deref(sub, seen);
      const badge = required.has(field) ? ' <span class="required">required</span>' : ' <span class="optional">optional</span>';
      if (cycle || missing) {
        return `<li><code class="field">${esc(field)}</code>${badge} <span class="schema-name">${esc(cycle ?? missing)}</span> ${unexpanded(cycle)}</li>`;
      }
      const full = this.schemas.merged(p, [...seen, ...names]);
      const name = names.length ? ` <span class="schema-name">${esc(names[0])}</span>` : "";
      const description = full.description ? ` <span class="description">${esc(full.description)}</span>` : "";
      const inner = this.nested(full, [...seen, ...names], depth + 1);
      return `<li><code class="field">${esc(field)}</code>${badge}${name} ${this.typeText(full, seen)}${this.constraints(full)}${description}${inner}</li>`;
    });
    return `<ul class="fields">${before}${fields.join("")}</ul>`;
  }
}
