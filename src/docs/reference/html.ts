// Small HTML helpers of the reference page.

export function esc(text: unknown): string {
  return String(text ?? "").replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

export function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
}

export function literal(value: unknown): string {
  return `<code>${esc(JSON.stringify(value))}</code>`;
}
