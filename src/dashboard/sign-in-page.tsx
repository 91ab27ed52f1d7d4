import { Hono } from "hono";
import { getCookie } from "hono/cookie";
import { clearedSessionCookie, SESSION_COOKIE } from "../connect/sign-in";
import type { AppEnv } from "../services";
import { closeSession, readSession } from "../storage/dashboard-sessions";
import type { DashboardEnv } from "./env";
import { Document, pageHeaders } from "./layout";

// Signing in and out. The button starts Kounta's OAuth (GET /oauth/sign-in, src/connect/routes.ts);
// the callback opens the session and comes back to /dashboard.

type Arrival = "signed_out" | "ended" | "disconnected" | null;

const arrivals: Record<Exclude<Arrival, null>, { tone: string; text: string }> = {
  signed_out: { tone: "good", text: "You are signed out." },
  ended: { tone: "warn", text: "Your session has ended. Sign in again to carry on." },
  disconnected: {
    tone: "good",
    text: "The loyalty programme is disconnected from Kounta: the POS no longer offers it and every session has ended. Members, rewards and history are kept; connect again to carry on.",
  },
};

function SignIn(props: { arrival: Arrival }) {
  const notice = props.arrival ? arrivals[props.arrival] : null;
  return (
    <Document title="Sign in · Loyalty dashboard">
      <main class="sign-in">
        <h1>Loyalty dashboard</h1>
        {notice ? (
          <p class={`notice ${notice.tone}`} role="status">
            {notice.text}
          </p>
        ) : null}
        <p>Run your loyalty programme: members, points, rewards and what they cost.</p>
        <p>
          <a class="button" href="/oauth/sign-in">
            Sign in with Kounta
          </a>
        </p>
        <p class="muted">
          Not using the loyalty programme yet? <a href="/connect">Connect your Kounta account</a> first.
        </p>
      </main>
    </Document>
  );
}

export const signInRoutes = new Hono<AppEnv>()
  .get("/sign-in", async (c) => {
    // Already signed in: straight to the overview.
    const id = getCookie(c, SESSION_COOKIE);
    if (id && (await readSession(c.get("services").db, id))) return c.body(null, 303, { Location: "/dashboard", "Cache-Control": "no-store" });
    const arrival: Arrival =
      c.req.query("out") === "1" ? "signed_out" : c.req.query("disconnected") === "1" ? "disconnected" : c.req.query("ended") === "1" ? "ended" : null;
    const html = `<!doctype html>${String(await (<SignIn arrival={arrival} />))}`;
    return c.body(html, 200, { ...pageHeaders, "Content-Type": "text/html; charset=utf-8" });
  });

/** POST /dashboard/sign-out (behind the session and the form check): this session ends. */
export const signOutRoutes = new Hono<DashboardEnv>().post("/sign-out", async (c) => {
  await closeSession(c.get("services").db, c.get("session").idHash);
  return c.body(null, 303, { Location: "/dashboard/sign-in?out=1", "Cache-Control": "no-store", "Set-Cookie": clearedSessionCookie() });
});
