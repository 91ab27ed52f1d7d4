import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { ORIGIN, seedCompany } from "../harness";
import { joinPost, goodForm } from "../member-pages/join-harness";
import { linkFor } from "../member-pages/card-fixtures";
import { recordingD1 } from "./d1-recording";

// The card page over a copy that lags behind the primary (docs/read-replicas.md). The local D1 has
// no replicas, so the nearest copy is imitated: a D1 binding whose `first-unconstrained` sessions
// answer no card link at all (a link issued a moment ago that has not reached the copy), while the
// primary's sessions are the real database.

interface Recorded {
  res: Response;
  html: string;
  /** The constraint of every session opened, in order. */
  sessions: (string | undefined)[];
}

/** A session of the real database whose reads of card links find nothing. */
function laggingCopy(session: D1DatabaseSession): D1DatabaseSession {
  const empty = (): D1PreparedStatement =>
    ({
      bind: () => empty(),
      all: async () => ({ results: [], success: true, meta: { rows_read: 0, rows_written: 0, duration: 0 } }),
    }) as unknown as D1PreparedStatement;
  return new Proxy(session, {
    get(target, prop) {
      if (prop === "prepare") return (sql: string) => (sql.includes("member_card_links") ? empty() : target.prepare(sql));
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

async function fetchWithLaggingCopy(path: string): Promise<Recorded> {
  const sessions: (string | undefined)[] = [];
  const DB = recordingD1(sessions, (constraint, session) => (constraint === "first-unconstrained" ? laggingCopy(session) : session));
  const ctx = createExecutionContext();
  const res = await createApp().fetch(new Request(`${ORIGIN}${path}`), { ...env, DB }, ctx);
  await waitOnExecutionContext(ctx);
  return { res, html: await res.text(), sessions };
}

const primaryTrips = (res: Response) => /session=replica primary_trips=(\d+)/.exec(res.headers.get("server-timing") ?? "")?.[1];

describe("a card link the nearest copy does not know yet", () => {
  it("right after joining: the redirect's card is found on the primary", async () => {
    const company = await seedCompany();
    const joined = await joinPost(`/join/${company.id}`, goodForm());
    expect(joined.status).toBe(303);
    const location = joined.res.headers.get("location")!;
    expect(location).toMatch(/^\/card\/[A-Za-z0-9_-]{43}$/);

    const card = await fetchWithLaggingCopy(location);

    expect(card.res.status).toBe(200);
    expect(card.html).toContain("Ada");
    expect(card.sessions).toEqual(["first-unconstrained", "first-primary"]);
    // The card's own reads: the link on the copy (nothing), then the link and the card on the primary.
    expect(primaryTrips(card.res)).toBe("2");
  });

  it("the manifest of a card just issued is found the same way", async () => {
    const company = await seedCompany();
    const memberId = await company.addMember({ firstName: "Grace" });
    const token = await linkFor(company.id, memberId);
    const manifest = await fetchWithLaggingCopy(`/card/${token}/manifest.webmanifest`);
    expect(manifest.res.status).toBe(200);
    expect(JSON.parse(manifest.html)).toMatchObject({ start_url: `/card/${token}`, name: `Test Café ${company.id}` });
    expect(manifest.sessions).toEqual(["first-unconstrained", "first-primary"]);
  });

  it("a link nobody issued: 404 after the primary said so too; a malformed one costs no second look", async () => {
    const unknown = await fetchWithLaggingCopy(`/card/${"A".repeat(43)}`);
    expect(unknown.res.status).toBe(404);
    expect(unknown.html).toContain("This card link does not work");
    expect(unknown.sessions).toEqual(["first-unconstrained", "first-primary"]);

    const malformed = await fetchWithLaggingCopy("/card/not-a-token");
    expect(malformed.res.status).toBe(404);
    expect(malformed.sessions).toEqual(["first-unconstrained"]);
  });
});
