import { inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { renderReference } from "../src/docs/reference-page";
import { createApiKey } from "../src/storage/api-keys";
import { rewards, tiers } from "../src/storage/schema";
import { call, db, getJson, ORIGIN, seedCompany } from "./harness";

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

const BODY_METHODS = ["post", "put", "patch"];

interface BodyExample {
  /** "post /admin/v1/rewards application/json (free_product)" */
  label: string;
  method: string;
  path: string;
  type: string;
  value?: unknown;
  externalValue?: string;
}

/** Every request example of the admin API, and the operations whose body has a media type without one. */
function requestExamples(doc: Json): { examples: BodyExample[]; missing: string[]; bodyOperations: string[] } {
  const examples: BodyExample[] = [];
  const missing: string[] = [];
  const bodyOperations: string[] = [];
  for (const [path, item] of Object.entries(doc.paths as Json)) {
    if (!path.startsWith("/admin/")) continue;
    for (const method of Object.keys(item).filter((m) => BODY_METHODS.includes(m))) {
      const content: Json | undefined = item[method].requestBody?.content;
      if (!content) continue;
      bodyOperations.push(`${method} ${path}`);
      for (const [type, media] of Object.entries(content as Json)) {
        const found: BodyExample[] = [];
        if (media.example !== undefined) found.push({ label: `${method} ${path} ${type}`, method, path, type, value: media.example });
        for (const [name, example] of Object.entries((media.examples ?? {}) as Json)) {
          found.push({ label: `${method} ${path} ${type} (${name})`, method, path, type, value: example.value, externalValue: example.externalValue });
        }
        if (found.length === 0) missing.push(`${method} ${path} ${type}`);
        examples.push(...found);
      }
    }
  }
  return { examples, missing, bodyOperations };
}

/** Every string in `value` (deeply). */
function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === "string") out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => strings(v, out));
  else if (value && typeof value === "object") Object.values(value).forEach((v) => strings(v, out));
  return out;
}

/** The body an example stands for: JSON text, CSV text, or the bytes of a data: URL. */
function exampleBody(example: BodyExample): BodyInit {
  if (example.externalValue !== undefined) {
    const match = /^data:[\w/+.-]+;base64,(.*)$/.exec(example.externalValue);
    if (!match) throw new Error(`${example.label}: only data: URLs can be sent (${example.externalValue.slice(0, 40)}...)`);
    return Uint8Array.from(atob(match[1]!), (ch) => ch.charCodeAt(0));
  }
  return /json/.test(example.type) ? JSON.stringify(example.value) : String(example.value);
}

const escHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

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

  it("gives every admin request body an example of each media type, and the route accepts each one", async () => {
    const { body: doc } = await getJson(`${ORIGIN}/openapi.json`);
    const { examples, missing, bodyOperations } = requestExamples(doc);
    // Found from the document: a new POST/PUT/PATCH with a body and no example fails here.
    expect(missing, "request bodies without an example").toEqual([]);
    expect(bodyOperations).toEqual(expect.arrayContaining(["post /admin/v1/rewards", "post /admin/v1/members", "put /admin/v1/rewards/order"]));
    for (const op of bodyOperations) expect(examples.some((e) => `${e.method} ${e.path}` === op), op).toBe(true);

    // One company for all of them, with what the examples and paths refer to.
    const company = await seedCompany();
    // A manager's key: some examples (the limits, a large adjustment) need one.
    const key = (await createApiKey(db, { companyId: company.id, name: "Examples", manager: true })).key;
    const memberId = await company.addMember({ firstName: "Fixture", email: "fixture.member@example.com", openingPoints: 1000 });
    const now = Date.now();
    // Reward ids an example names (PUT /rewards/order) are this company's rewards.
    const rewardIds = [...new Set(examples.flatMap((e) => strings(e.value)).filter((s) => /^rwd_[0-9a-z]{16}$/.test(s)))];
    const fixtureRewardId = `rwd_fixture${company.id}`.slice(0, 20);
    const allRewardIds = [fixtureRewardId, ...rewardIds];
    await db.delete(rewards).where(inArray(rewards.id, allRewardIds));
    await db.insert(rewards).values(
      allRewardIds.map((id, i) => ({ id, companyId: company.id, title: `Reward ${i}`, kind: "free_product" as const, productId: "9001", pointsRequired: 100, sortOrder: i, createdAt: now, updatedAt: now })),
    );
    const pathIds: Record<string, string> = { members: memberId, rewards: fixtureRewardId };
    // Tier ids an example names (PUT /members/{id}/tier) are this company's tiers, put back before each
    // example (PUT /tiers examples replace the list, removing them).
    const tierIds = [...new Set(examples.flatMap((e) => strings(e.value)).filter((s) => /^tier_[0-9a-z]{16}$/.test(s)))];
    await db.delete(tiers).where(inArray(tiers.id, tierIds));
    await db.insert(tiers).values(
      tierIds.map((id, i) => ({ id, companyId: company.id, position: i, name: `Tier ${i}`, threshold: i * 100, createdAt: now, updatedAt: now })),
    );

    for (const example of examples) {
      if (tierIds.length > 0) await db.update(tiers).set({ removedAt: null }).where(inArray(tiers.id, tierIds));
      const path = example.path.replace(/\/([\w-]+)\/\{id\}/g, (_, collection: string) => {
        const id = pathIds[collection];
        if (!id) throw new Error(`${example.label}: no fixture for /${collection}/{id}: add one to this test`);
        return `/${collection}/${id}`;
      });
      const res = await call(`${ORIGIN}${path}`, {
        method: example.method.toUpperCase(),
        headers: { authorization: `Bearer ${key}`, "content-type": example.type },
        body: exampleBody(example),
      });
      const text = await res.text();
      expect(res.status, `${example.label}: ${text}`).toBeGreaterThanOrEqual(200);
      expect(res.status, `${example.label}: ${text}`).toBeLessThan(300);
      // An import example none of whose rows are refused.
      const answer = JSON.parse(text) as Json;
      if (typeof answer.rejected === "number") expect(answer.rejected, `${example.label}: ${text}`).toBe(0);
    }
  });
});

describe("the /docs reference page", () => {
  it("resolves every reference, names the components and shows every request example", async () => {
    const { body: doc } = await getJson(`${ORIGIN}/openapi.json`);
    const res = await call(`${ORIGIN}/docs`);
    const html = await res.text();
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(html).not.toContain("$ref");
    expect(html).not.toContain("#/components");

    // Create a reward: the body's component by name, its fields inlined (every kind's own too).
    const section = html.slice(html.indexOf('id="post-admin-v1-rewards"'), html.indexOf("</section>", html.indexOf('id="post-admin-v1-rewards"')));
    expect(section).toContain('<span class="schema-name">NewReward</span>');
    for (const field of ["kind", "title", "terms", "points_required", "action_label", "amount_cents", "percent", "product_id", "variable_quantity"]) {
      expect(section, field).toContain(`<code class="field">${field}</code>`);
    }
    // Every response's component is named, and its fields shown (no reference left to follow).
    expect(html).toContain('<span class="schema-name">Reward</span>');
    expect(html).toContain('<code class="field">sort_order</code>');

    for (const example of requestExamples(doc).examples) {
      if (example.externalValue !== undefined) expect(html, example.label).toContain(escHtml(example.externalValue));
      else {
        const text = /json/.test(example.type) ? JSON.stringify(example.value, null, 2) : String(example.value);
        expect(html, example.label).toContain(`<pre class="example">${escHtml(text)}</pre>`);
      }
    }
  });

  it("shows a schema that refers to itself once, by name, without looping", () => {
    const html = renderReference({
      info: { title: "Cycles", version: "1" },
      paths: {
        "/nodes": {
          post: {
            tags: ["Nodes"],
            requestBody: { content: { "application/json": { schema: { $ref: "#/components/schemas/Node" }, example: { name: "root", children: [] } } } },
            responses: { 200: { description: "ok", content: { "application/json": { schema: { $ref: "#/components/schemas/Pair" } } } } },
          },
        },
      },
      components: {
        schemas: {
          Node: {
            type: "object",
            required: ["name"],
            properties: { name: { type: "string" }, parent: { $ref: "#/components/schemas/Node" }, children: { type: "array", items: { $ref: "#/components/schemas/Node" } } },
          },
          Pair: { type: "object", properties: { a: { $ref: "#/components/schemas/A" } } },
          A: { type: "object", properties: { b: { $ref: "#/components/schemas/B" } } },
          B: { type: "object", properties: { a: { $ref: "#/components/schemas/A" }, gone: { $ref: "#/components/schemas/Missing" } } },
        },
      },
    } as Parameters<typeof renderReference>[0]);
    expect(html).not.toContain("$ref");
    expect(html).toContain('<span class="schema-name">Node</span>');
    expect(html).toContain('<code class="field">parent</code> <span class="optional">optional</span> <span class="schema-name">Node</span> (shown above)');
    // A -> B -> A: each expanded once on the way down.
    expect(html.match(/<code class="field">b<\/code>/g)).toHaveLength(1);
    expect(html).toContain('<span class="schema-name">Missing</span> (not in this document)');
    expect(html).toContain("<pre class=\"example\">");
  });
});
