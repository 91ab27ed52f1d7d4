import { describe, expect, it } from "vitest";
import { call, getJson, ORIGIN } from "./harness";

type Json = Record<string, any>;

/** Every {"$ref": "#/components/..."} inside `value`. */
function refs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => refs(v, out));
  else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (k === "$ref" && typeof v === "string") out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

describe("OpenAPI document", () => {
  it("is a well-formed OpenAPI 3.1 document of the admin API and the Kounta-facing endpoints", async () => {
    const { status, body } = await getJson(`${ORIGIN}/openapi.json`);
    expect(status).toBe(200);
    const doc = body as Json;
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.info).toMatchObject({ title: "Kounta loyalty", version: expect.any(String) });
    expect(Object.keys(doc.paths).sort()).toEqual(
      expect.arrayContaining([
        "/admin/v1/api-keys",
        "/admin/v1/api-keys/{id}",
        "/kounta/{addonKey}/customer-search",
        "/kounta/{addonKey}/reward-lookup",
        "/kounta/redeem",
      ]),
    );
    expect(Object.keys(doc.paths["/kounta/{addonKey}/customer-search"]).sort()).toEqual(["get", "post"]);

    const methods = ["get", "post", "put", "patch", "delete"];
    for (const [path, item] of Object.entries(doc.paths as Json)) {
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const method of methods.filter((m) => item[m])) {
        const op = item[method];
        expect(Object.keys(op.responses ?? {}).length, `${method} ${path} has responses`).toBeGreaterThan(0);
        const pathParams = (op.parameters ?? []).filter((p: Json) => p.in === "path").map((p: Json) => p.name);
        expect(pathParams.sort(), `${method} ${path} declares its path parameters`).toEqual([...templated].sort());
        for (const p of op.parameters ?? []) expect(["query", "path", "header", "cookie"]).toContain(p.in);
      }
    }
    // Every reference resolves.
    for (const ref of refs(doc)) {
      const [, section, name] = /^#\/components\/(\w+)\/(.+)$/.exec(ref) ?? [];
      expect(doc.components?.[section!]?.[name!], `${ref} resolves`).toBeDefined();
    }
    // Kounta's wire names are in it as the POS parses them.
    expect(Object.keys(doc.components.schemas.KountaMember.properties)).toEqual([
      "id", "first_name", "last_name", "email_address", "current_points", "points_label", "icon_url", "intro_text", "params",
    ]);
    expect(doc.components.securitySchemes.apiKey).toEqual(expect.objectContaining({ type: "http", scheme: "bearer" }));
  });

  it("has a readable reference page at /docs", async () => {
    const res = await call(`${ORIGIN}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain("<h1>Kounta loyalty");
    expect(html).toContain("<code>/kounta/{addonKey}/customer-search</code>");
    expect(html).toContain("<code>/admin/v1/api-keys/{id}</code>");
    expect(html).not.toMatch(/<script/i);
  });
});
