// A plain, self-contained HTML reference rendered from the OpenAPI document: no scripts, no CDN, so
// it works offline in development as it does deployed. Schemas are shown as lists of fields, with
// every `$ref` (#/components/...) resolved in place and its component's name shown; a schema that
// refers back to one being shown is named, not expanded again.

type Schema = Record<string, unknown>;

interface Doc {
  info: { title: string; version: string; description?: string };
  paths?: Record<string, Record<string, Operation | undefined> | undefined>;
  components?: Record<string, Record<string, unknown> | undefined>;
}

interface Example {
  summary?: string;
  description?: string;
  value?: unknown;
  externalValue?: string;
}

interface MediaType {
  schema?: unknown;
  example?: unknown;
  examples?: Record<string, Example | undefined>;
}

interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  security?: Record<string, unknown>[];
  parameters?: { name: string; in: string; required?: boolean; description?: string; schema?: unknown }[];
  requestBody?: { required?: boolean; description?: string; content?: Record<string, MediaType> };
  responses?: Record<string, { description?: string; content?: Record<string, MediaType> }>;
}

const METHODS = ["get", "post", "put", "patch", "delete"] as const;
const BODY_METHODS = new Set<string>(["post", "put", "patch"]);
/** Nesting beyond this is summarised: a guard against pathological (not only cyclic) schemas. */
const MAX_DEPTH = 12;

function esc(text: unknown): string {
  return String(text ?? "").replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

const isObject = (value: unknown): value is Schema => typeof value === "object" && value !== null && !Array.isArray(value);

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}

function literal(value: unknown): string {
  return `<code>${esc(JSON.stringify(value))}</code>`;
}

/** Why a named schema is not expanded: it is one being shown (a cycle), or it is not in the document. */
const unexpanded = (cycle: string | undefined) => (cycle ? "(shown above)" : "(not in this document)");

/** Resolves local references (`#/components/schemas/Name`) against the document. */
class Schemas {
  constructor(private readonly doc: Doc) {}

  /** The schema a reference points at, with the component's name; null when it points nowhere. */
  resolve(ref: string): { name: string; schema: Schema } | null {
    if (!ref.startsWith("#/")) return null;
    const parts = ref
      .slice(2)
      .split("/")
      .map((p) => decodeURIComponent(p).replace(/~1/g, "/").replace(/~0/g, "~"));
    let node: unknown = this.doc;
    for (const part of parts) node = isObject(node) ? node[part] : undefined;
    return isObject(node) ? { name: parts[parts.length - 1]!, schema: node } : null;
  }

  /** Follows a chain of references: the schema itself, and the names of the components passed through. */
  deref(schema: unknown, seen: readonly string[] = []): { schema: Schema; names: string[]; cycle?: string; missing?: string } {
    const names: string[] = [];
    let current: unknown = schema;
    while (isObject(current) && typeof current.$ref === "string") {
      const target = this.resolve(current.$ref);
      const name = target?.name ?? current.$ref.split("/").pop() ?? "?";
      if (!target) return { schema: {}, names, missing: name };
      if (seen.includes(name) || names.includes(name)) return { schema: {}, names, cycle: name };
      names.push(name);
      // Siblings of $ref (OpenAPI 3.1 allows e.g. a description beside it) win over the target's.
      const { $ref: _ref, ...siblings } = current;
      current = { ...target.schema, ...siblings };
    }
    return { schema: isObject(current) ? current : {}, names };
  }

  /** allOf of objects, merged into one object (properties, required, no other fields). */
  merged(schema: Schema, seen: readonly string[]): Schema {
    if (!Array.isArray(schema.allOf)) return schema;
    const { allOf, ...rest } = schema;
    const out: Schema = { ...rest };
    const properties: Record<string, unknown> = {};
    const required = new Set<string>();
    for (const part of allOf as unknown[]) {
      const { schema: p } = this.deref(part, seen);
      const full = this.merged(p, seen);
      Object.assign(properties, isObject(full.properties) ? full.properties : {});
      for (const r of Array.isArray(full.required) ? full.required : []) required.add(String(r));
      if (full.type && !out.type) out.type = full.type;
      if (full.additionalProperties === false) out.additionalProperties = false;
    }
    if (isObject(rest.properties)) Object.assign(properties, rest.properties);
    for (const r of Array.isArray(rest.required) ? rest.required : []) required.add(String(r));
    out.properties = properties;
    out.required = [...required];
    return out;
  }
}

/** Renders a schema as HTML: a type line, then its fields (and variants) as nested lists. */
class SchemaView {
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

function exampleText(type: string, value: unknown): string {
  if (typeof value === "string" && !/json/.test(type)) return value;
  return JSON.stringify(value, null, 2);
}

/** A request or response body's examples: `example`, then each of `examples`. */
function examplesHtml(type: string, media: MediaType): string {
  const list: Example[] = [];
  if (media.example !== undefined) list.push({ value: media.example });
  for (const example of Object.values(media.examples ?? {})) if (example) list.push(example);
  return list
    .map((example, i) => {
      const title = `Example${list.length > 1 ? ` ${i + 1}` : ""}${example.summary ? `: ${esc(example.summary)}` : ""}`;
      const description = example.description ? `<p>${esc(example.description)}</p>` : "";
      let shown = "";
      if (example.value !== undefined) {
        shown = `<pre class="example">${esc(exampleText(type, example.value))}</pre>`;
      } else if (typeof example.externalValue === "string") {
        const url = example.externalValue;
        shown = /^data:image\/(png|jpeg);base64,/.test(url)
          ? `<p><img class="example-image" src="${esc(url)}" alt="${esc(example.summary ?? "Example image")}" width="32" height="32"></p>`
          : `<p><a href="${esc(url)}">${esc(url)}</a></p>`;
      }
      return `<div class="example-block"><p class="example-title">${title}</p>${description}${shown}</div>`;
    })
    .join("");
}

function requestBodyHtml(view: SchemaView, op: Operation, method: string): string {
  const body = op.requestBody;
  if (!body?.content) return BODY_METHODS.has(method) ? `<h4>Request body</h4><p>None.</p>` : "";
  const parts = Object.entries(body.content).map(([type, media]) => {
    const schema = media.schema === undefined ? "" : view.block(media.schema);
    return `<div class="media"><p class="media-type"><code>${esc(type)}</code>${body.required ? ", required" : ", optional"}</p>${schema}${examplesHtml(type, media)}</div>`;
  });
  const description = body.description ? `<p>${esc(body.description)}</p>` : "";
  return `<h4>Request body</h4>${description}${parts.join("")}`;
}

/** The responses; those with the same named schema (the error envelope) share one expanded schema. */
function responsesHtml(view: SchemaView, op: Operation): string {
  const groups = new Map<string, { statuses: [string, string | undefined][]; type?: string; media?: MediaType }>();
  for (const [status, r] of Object.entries(op.responses ?? {})) {
    const [type, media] = Object.entries(r.content ?? {})[0] ?? [];
    const ref = isObject(media?.schema) && typeof media.schema.$ref === "string" ? media.schema.$ref : undefined;
    const key = ref && type ? `${type} ${ref}` : `status ${status}`;
    const group = groups.get(key) ?? { statuses: [], type, media };
    group.statuses.push([status, r.description]);
    groups.set(key, group);
  }
  const items = [...groups.values()].map(({ statuses, type, media }) => {
    const lines = statuses.map(([status, description]) => `<strong>${esc(status)}</strong> ${esc(description)}`).join("<br>");
    let schema = "";
    if (type && media?.schema !== undefined) {
      const name = isObject(media.schema) && typeof media.schema.$ref === "string" ? media.schema.$ref.split("/").pop() : undefined;
      const label = name ? `<span class="schema-name">${esc(name)}</span>` : "the body";
      schema = `<details><summary><code>${esc(type)}</code>: ${label}</summary>${view.block(media.schema)}${examplesHtml(type, media)}</details>`;
    }
    return `<li>${lines}${schema}</li>`;
  });
  return items.length ? `<h4>Responses</h4><ul class="responses">${items.join("")}</ul>` : "";
}

function parametersHtml(view: SchemaView, op: Operation, label: string): string {
  const params = op.parameters ?? [];
  if (params.length === 0) return "";
  const rows = params.map((p) => {
    const schema = isObject(p.schema) ? p.schema : {};
    return `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}</td><td>${view.typeText(schema, [])}${view.constraints(schema)}</td><td>${p.required ? "yes" : "no"}</td><td>${esc(p.description)}</td></tr>`;
  });
  return `<h4>Parameters</h4><table><caption class="visually-hidden">Parameters of ${esc(label)}</caption><thead><tr><th scope="col">name</th><th scope="col">in</th><th scope="col">type</th><th scope="col">required</th><th scope="col">about</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

export function renderReference(doc: Doc): string {
  const view = new SchemaView(doc);
  const sections = new Map<string, { id: string; label: string; summary: string; html: string }[]>();
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item?.[method];
      if (!op) continue;
      const tag = op.tags?.[0] ?? "Other";
      const id = `${method}-${slug(path)}`;
      const label = `${method.toUpperCase()} ${path}`;
      const auth = op.security?.length ? `<p class="auth">Needs an API key: <code>Authorization: Bearer &lt;API key&gt;</code></p>` : "";
      const html = `<section class="op" id="${esc(id)}" aria-labelledby="${esc(id)}-title">
  <h3 id="${esc(id)}-title"><span class="method ${method}">${method.toUpperCase()}</span> <code>${esc(path)}</code></h3>
  <p class="summary">${esc(op.summary)}</p>
  ${op.description ? `<p>${esc(op.description)}</p>` : ""}
  ${auth}
  ${parametersHtml(view, op, label)}
  ${requestBodyHtml(view, op, method)}
  ${responsesHtml(view, op)}
</section>`;
      sections.set(tag, [...(sections.get(tag) ?? []), { id, label, summary: op.summary ?? "", html }]);
    }
  }
  const toc = [...sections.entries()]
    .map(
      ([tag, ops]) =>
        `<li><a href="#tag-${esc(slug(tag))}">${esc(tag)}</a><ul>${ops
          .map((op) => `<li><a href="#${esc(op.id)}"><code>${esc(op.label)}</code></a> ${esc(op.summary)}</li>`)
          .join("")}</ul></li>`,
    )
    .join("");
  const content = [...sections.entries()]
    .map(([tag, ops]) => `<h2 id="tag-${esc(slug(tag))}">${esc(tag)}</h2>\n${ops.map((op) => op.html).join("\n")}`)
    .join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(doc.info.title)} API reference</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; max-width: 960px; margin: 2rem auto; padding: 0 1rem; color: #1d2430; background: #fff; }
  code, pre { font: 13px/1.4 ui-monospace, monospace; }
  pre { background: #f4f6f8; padding: .75rem; border-radius: 6px; white-space: pre-wrap; overflow-wrap: anywhere; }
  a { color: #1f5aa6; }
  .op { border-top: 1px solid #dde2e8; padding-top: .5rem; margin-top: 1.5rem; }
  .op h3 { overflow-wrap: anywhere; }
  h4 { margin: 1rem 0 .25rem; }
  .method { display: inline-block; min-width: 4.5em; font-size: 12px; color: #fff; background: #58677a; border-radius: 4px; padding: 1px 6px; text-align: center; }
  .get { background: #2f7d4f; } .post { background: #2a62b8; } .put, .patch { background: #8a5f10; } .delete { background: #b33a3a; }
  table { border-collapse: collapse; width: 100%; } td, th { border: 1px solid #dde2e8; padding: 2px 8px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
  .fields, .variants { list-style: none; padding-left: 1rem; border-left: 2px solid #dde2e8; margin: .25rem 0; }
  .fields > li, .variants > li { margin: .25rem 0; overflow-wrap: anywhere; }
  .variants > li > p { margin: .25rem 0; }
  .schema-name { font-weight: 600; color: #6b3a8c; }
  .type { color: #1f5aa6; }
  .required { font-size: 12px; color: #9b2c2c; font-weight: 600; }
  .optional { font-size: 12px; color: #55606e; }
  .constraints, .description, .note { color: #444f5c; }
  .fields .description, .variants .description, .items-line .description { display: block; }
  .responses > li { margin: .25rem 0 .5rem; }
  .example-title { font-weight: 600; margin-bottom: .25rem; }
  .media-type { margin: .25rem 0; }
  details { margin: .25rem 0 .5rem; } summary { cursor: pointer; }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
  nav ul ul { font-size: 14px; }
</style>
</head>
<body>
<header>
<h1>${esc(doc.info.title)} <small>${esc(doc.info.version)}</small></h1>
<p>${esc(doc.info.description)}</p>
<p>The machine-readable document: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>
</header>
<nav aria-label="Contents"><ul>${toc}</ul></nav>
<main>
${content}
</main>
</body>
</html>`;
}
