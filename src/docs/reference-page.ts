// A plain, self-contained HTML reference rendered from the OpenAPI document: no scripts, no CDN, so
// it works offline in development as it does deployed.

interface Doc {
  info: { title: string; version: string; description?: string };
  paths?: Record<string, Record<string, Operation | undefined> | undefined>;
}

interface Operation {
  summary?: string;
  tags?: string[];
  parameters?: { name: string; in: string; required?: boolean; description?: string; schema?: unknown }[];
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
}

const METHODS = ["get", "post", "put", "patch", "delete"] as const;

function esc(text: unknown): string {
  return String(text ?? "").replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function schemaText(schema: unknown): string {
  return esc(JSON.stringify(schema, null, 2));
}

export function renderReference(doc: Doc): string {
  const sections = new Map<string, string[]>();
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of METHODS) {
      const op = item?.[method];
      if (!op) continue;
      const tag = op.tags?.[0] ?? "Other";
      const params = (op.parameters ?? [])
        .map((p) => `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}</td><td>${p.required ? "yes" : ""}</td><td>${esc(p.description)}</td></tr>`)
        .join("");
      const body = op.requestBody?.content
        ? Object.entries(op.requestBody.content)
            .map(([type, c]) => `<p>Body (<code>${esc(type)}</code>):</p><pre>${schemaText(c.schema)}</pre>`)
            .join("")
        : "";
      const responses = Object.entries(op.responses ?? {})
        .map(([status, r]) => {
          const content = Object.values(r.content ?? {})[0];
          return `<li><strong>${esc(status)}</strong> ${esc(r.description)}${content?.schema ? `<pre>${schemaText(content.schema)}</pre>` : ""}</li>`;
        })
        .join("");
      const html = `<section class="op" id="${esc(`${method}-${path}`)}">
  <h3><span class="method ${method}">${method.toUpperCase()}</span> <code>${esc(path)}</code></h3>
  <p>${esc(op.summary)}</p>
  ${params ? `<table><thead><tr><th>parameter</th><th>in</th><th>required</th><th>about</th></tr></thead><tbody>${params}</tbody></table>` : ""}
  ${body}
  <ul>${responses}</ul>
</section>`;
      sections.set(tag, [...(sections.get(tag) ?? []), html]);
    }
  }
  const toc = [...sections.keys()].map((tag) => `<li><a href="#${esc(tag)}">${esc(tag)}</a></li>`).join("");
  const content = [...sections.entries()].map(([tag, ops]) => `<h2 id="${esc(tag)}">${esc(tag)}</h2>${ops.join("\n")}`).join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(doc.info.title)} API reference</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; max-width: 960px; margin: 2rem auto; padding: 0 1rem; color: #1d2430; }
  code, pre { font: 13px/1.4 ui-monospace, monospace; }
  pre { background: #f4f6f8; padding: .75rem; overflow-x: auto; border-radius: 6px; }
  .op { border-top: 1px solid #dde2e8; padding-top: .5rem; }
  .method { display: inline-block; min-width: 4.5em; font-size: 12px; color: #fff; background: #58677a; border-radius: 4px; padding: 1px 6px; text-align: center; }
  .get { background: #2f7d4f; } .post { background: #2a62b8; } .put, .patch { background: #9a6a12; } .delete { background: #b33a3a; }
  table { border-collapse: collapse; } td, th { border: 1px solid #dde2e8; padding: 2px 8px; text-align: left; }
</style>
</head>
<body>
<h1>${esc(doc.info.title)} <small>${esc(doc.info.version)}</small></h1>
<p>${esc(doc.info.description)}</p>
<p>The machine-readable document: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>
<ul>${toc}</ul>
${content}
</body>
</html>`;
}
