import { isObject, type Example, type MediaType, type Operation } from "./document";
import { esc } from "./html";
import type { SchemaView } from "./schema-view";

// The parts of one operation: its parameters, request body (with its examples) and responses.

const BODY_METHODS = new Set<string>(["post", "put", "patch"]);

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

export function requestBodyHtml(view: SchemaView, op: Operation, method: string): string {
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
export function responsesHtml(view: SchemaView, op: Operation): string {
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

export function parametersHtml(view: SchemaView, op: Operation, label: string): string {
  const params = op.parameters ?? [];
  if (params.length === 0) return "";
  const rows = params.map((p) => {
    const schema = isObject(p.schema) ? p.schema : {};
    return `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}</td><td>${view.typeText(schema, [])}${view.constraints(schema)}</td><td>${p.required ? "yes" : "no"}</td><td>${esc(p.description)}</td></tr>`;
  });
  return `<h4>Parameters</h4><table><caption class="visually-hidden">Parameters of ${esc(label)}</caption><thead><tr><th scope="col">name</th><th scope="col">in</th><th scope="col">type</th><th scope="col">required</th><th scope="col">about</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}
