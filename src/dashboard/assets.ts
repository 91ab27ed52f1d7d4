import { Hono } from "hono";
import type { AppEnv } from "../services";
import { dashboardCss } from "./styles";

// The dashboard's one stylesheet and one script, served by the Worker (nothing from a CDN, no build
// step). The address carries a digest of the content, so a browser may keep it for a year.

const DASHBOARD_JS = `// Plain progressive enhancement: every page works without it.
// A page that answers a refused form: to its problems (scrolled into view, read out first).
document.querySelector("[data-problems]")?.focus();
// A page the browser brings back from its back/forward cache: its buttons work again.
window.addEventListener("pageshow", (event) => {
  if (event.persisted) document.querySelectorAll("button[type=submit]").forEach((b) => (b.disabled = false));
});
document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-copy]") : null;
  if (!button) return;
  const text = document.getElementById(button.getAttribute("data-copy") || "")?.textContent || "";
  navigator.clipboard?.writeText(text.trim()).then(() => {
    button.textContent = "Copied";
  });
});
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  const question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
    return;
  }
  // A double click sends a change once: the form's buttons wait for the answer.
  if (form.method.toLowerCase() === "post") {
    setTimeout(() => form.querySelectorAll("button[type=submit]").forEach((b) => (b.disabled = true)), 0);
  }
});
`;

function fingerprint(text: string): string {
  // FNV-1a, 32 bits: enough to tell versions apart (not a security measure).
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(36);
}

export const assetPaths = {
  css: `/dashboard/assets/dashboard.${fingerprint(dashboardCss)}.css`,
  js: `/dashboard/assets/dashboard.${fingerprint(DASHBOARD_JS)}.js`,
};

const assetHeaders = (type: string) => ({
  "Content-Type": type,
  "Cache-Control": "public, max-age=31536000, immutable",
  "X-Content-Type-Options": "nosniff",
});

/** Mounted under /dashboard (src/dashboard/index.ts), before the session check: the paths without it. */
const under = (p: string) => p.slice("/dashboard".length);

export const assetRoutes = new Hono<AppEnv>()
  .get(under(assetPaths.css), () => new Response(dashboardCss, { headers: assetHeaders("text/css; charset=utf-8") }))
  .get(under(assetPaths.js), () => new Response(DASHBOARD_JS, { headers: assetHeaders("text/javascript; charset=utf-8") }));
