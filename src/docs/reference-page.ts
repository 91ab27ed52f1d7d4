// A plain, self-contained HTML reference rendered from the OpenAPI document: no scripts, no CDN, so
// it works offline in development as it does deployed. Schemas are shown as lists of fields, with
// every `$ref` (#/components/...) resolved in place and its component's name shown; a schema that
// refers back to one being shown is named, not expanded again.
//
// The parts: reference/document.ts (the document and its $refs), reference/schema-view.ts (schemas
// as nested lists), reference/operation.ts (parameters, bodies, examples, responses); here, the page.

import type { Doc } from "./reference/document";
import { esc, slug } from "./reference/html";
import { parametersHtml, requestBodyHtml, responsesHtml } from "./reference/operation";
import { SchemaView } from "./reference/schema-view";

const METHODS = ["get", "post", "put", "patch", "delete"] as const;

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
