import type { Context } from "hono";
import { Document, pageHeaders } from "./layout";

/** A plain page for a refusal or a failure: what happened, and the way back. */
export async function errorPage(c: Context, status: 400 | 403 | 404 | 413 | 500, message: string) {
  const titles = { 400: "This request could not be read", 403: "Not accepted", 404: "Not found", 413: "Too large", 500: "Something went wrong" };
  const node = (
    <Document title={`${titles[status]} · Loyalty dashboard`}>
      <main>
        <h1>{titles[status]}</h1>
        <p>{message}</p>
        <p>
          <a href="/dashboard">Back to the dashboard</a>
        </p>
      </main>
    </Document>
  );
  return c.body(`<!doctype html>${String(await node)}`, status, { ...pageHeaders, "Content-Type": "text/html; charset=utf-8" });
}
