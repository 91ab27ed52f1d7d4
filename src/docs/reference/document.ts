// The OpenAPI document as the reference page reads it, and the resolution of its local `$ref`s.

export type Schema = Record<string, unknown>;

export interface Doc {
  info: { title: string; version: string; description?: string };
  paths?: Record<string, Record<string, Operation | undefined> | undefined>;
  components?: Record<string, Record<string, unknown> | undefined>;
}

export interface Example {
  summary?: string;
  description?: string;
  value?: unknown;
  externalValue?: string;
}

export interface MediaType {
  schema?: unknown;
  example?: unknown;
  examples?: Record<string, Example | undefined>;
}

export interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  security?: Record<string, unknown>[];
  parameters?: { name: string; in: string; required?: boolean; description?: string; schema?: unknown }[];
  requestBody?: { required?: boolean; description?: string; content?: Record<string, MediaType> };
  responses?: Record<string, { description?: string; content?: Record<string, MediaType> }>;
}

export const isObject = (value: unknown): value is Schema => typeof value === "object" && value !== null && !Array.isArray(value);

/** Resolves local references (`#/components/schemas/Name`) against the document. */
export class Schemas {
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
