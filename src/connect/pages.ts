// The plain pages a merchant sees while connecting: no scripts, nothing loaded from elsewhere, never
// cached (one of them shows an API key once).

const escapes: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => escapes[ch]!);
}

export const pageHeaders = {
  "Content-Type": "text/html; charset=utf-8",
  "Cache-Control": "no-store",
  "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; form-action 'none'",
  "Referrer-Policy": "no-referrer",
  "X-Content-Type-Options": "nosniff",
};

/** `body` is HTML already escaped by the caller. */
export function page(status: number, title: string, body: string): Response {
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:42rem;margin:3rem auto;padding:0 1rem;line-height:1.5}code{background:#f3f3f3;padding:.15rem .3rem;word-break:break-all}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>
`;
  return new Response(html, { status, headers: pageHeaders });
}

export function notConnectedPage(status: number, reason: string): Response {
  return page(
    status,
    "The connection was not made",
    `<p>${escapeHtml(reason)}</p>
<p>Nothing was changed. <a href="/connect">Start again</a> to connect your Kounta account.</p>`,
  );
}

export function connectedPage(input: { companyName: string; apiKey: string | null; customerSearchUrl: string; rewardLookupUrl: string }): Response {
  const key = input.apiKey
    ? `<h2>Your admin API key</h2>
<p>It is shown this once: copy it somewhere safe now. It runs the loyalty programme through the admin API
(<code>Authorization: Bearer &lt;key&gt;</code>).</p>
<p><code>${escapeHtml(input.apiKey)}</code></p>`
    : `<p>Your existing admin API keys keep working; no new key was made.</p>`;
  return page(
    200,
    "Kounta is connected",
    `<p>${escapeHtml(input.companyName)} is now connected to the loyalty programme.</p>
${key}
<h2>In Kounta's Loyalty tab</h2>
<p>Paste these two addresses:</p>
<dl>
<dt>Customer search URL</dt><dd><code>${escapeHtml(input.customerSearchUrl)}</code></dd>
<dt>Reward lookup URL</dt><dd><code>${escapeHtml(input.rewardLookupUrl)}</code></dd>
</dl>
<h2>Run the programme</h2>
<p><a href="/dashboard/sign-in">Open the dashboard</a>: members, points, rewards and what they cost (sign in with Kounta).</p>`,
  );
}
