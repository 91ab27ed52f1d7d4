import { Hono } from "hono";
import { readOutbox, type KeptEmail } from "../notify/dev-outbox";
import type { AppEnv } from "../services";
import { MemberDocument, renderMemberPage } from "./layout";

// GET /dev/outbox, in development only (ENVIRONMENT=development, `npm run dev`): the messages the
// Worker would have emailed to members, newest first, as the local outbox (src/notify/dev-outbox.ts)
// kept them: the text, the HTML as its source (the page's policy runs no HTML of a message), the links
// to follow. Anywhere else the address does not exist.

function Message(props: { email: KeptEmail; index: number }) {
  const { email } = props;
  const links = [...new Set(email.text.match(/https?:\/\/\S+/g) ?? [])];
  return (
    <article class="card stack outbox" aria-labelledby={`m${props.index}`}>
      <h2 id={`m${props.index}`}>{email.subject}</h2>
      <p>
        To <strong>{email.to}</strong>, from {email.fromName}, kept {new Date(email.keptAt).toISOString().replace("T", " ").slice(0, 19)} UTC
      </p>
      <pre class="example outbox-text">{email.text}</pre>
      {links.length > 0 ? (
        <ul>
          {links.map((link) => (
            <li>
              <a href={link}>{link}</a>
            </li>
          ))}
        </ul>
      ) : null}
      <details>
        <summary>HTML version</summary>
        <pre class="example outbox-text">{email.html}</pre>
      </details>
    </article>
  );
}

export const devOutboxRoutes = new Hono<AppEnv>().get("/dev/outbox", async (c) => {
  if (c.get("services").config.ENVIRONMENT !== "development") return c.notFound();
  const kept = await readOutbox(c.env.CACHE, { limit: 50 });
  return renderMemberPage(
    c,
    <MemberDocument title="Outbox (development)">
      <h1>Outbox</h1>
      <p>
        What members would have been emailed (development only: nothing is sent). The newest {kept.length === 50 ? "50" : ""} first; kept for a
        week.
      </p>
      {kept.length === 0 ? <p role="status">Nothing yet.</p> : kept.map((email, i) => <Message email={email} index={i} />)}
    </MemberDocument>,
  );
});
