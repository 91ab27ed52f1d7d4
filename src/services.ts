import { loadConfig, type Config } from "./config";
import { kountaClientFor, type KountaClientFactory } from "./kounta-api/client";
import { createMiddleware } from "hono/factory";
import type { Context } from "hono";
import { openDatabase, openSession, type Database, type SessionKind, type SessionStart } from "./storage/db";
import { LoyaltyCache } from "./loyalty/cache";
import type { Logger } from "./lib/logger";
import type { RequestMetrics } from "./lib/metrics";
import { Notifier } from "./loyalty/notifications/notifier";
import { configuredSender, type EmailSender } from "./notify/email";

/**
 * What a handler works with, built per request. Config, D1 and KV are opened on first use, so
 * /health touches none of them.
 */
export class Services {
  private _config?: Config;
  private _db?: Database;
  private _cache?: LoyaltyCache;
  private _session?: D1DatabaseSession;
  private _primaryDb?: Database;
  private start: SessionStart = { kind: "primary" };

  constructor(
    private readonly env: Env,
    readonly metrics: RequestMetrics,
    readonly logger: Logger,
  ) {}

  get config(): Config {
    return (this._config ??= loadConfig(this.env));
  }

  /**
   * Chooses the request's D1 session (docs/read-replicas.md); before the first query only. Every
   * request not told otherwise works on the primary.
   */
  useSession(start: SessionStart): void {
    if (this._db) throw new Error("The D1 session is chosen before the first query");
    this.start = start;
    this.metrics.d1Session = start.kind;
  }

  get db(): Database {
    this._session ??= openSession(this.env.DB, this.start);
    return (this._db ??= openDatabase(this._session, this.metrics));
  }

  /**
   * The primary, for the one read of a request on the nearest copy that must not miss a write made a
   * moment ago (a card link just issued: the card page's second look). The request's own database
   * when its session is on the primary already.
   */
  primaryDb(): Database {
    if (this.start.kind === "primary") return this.db;
    return (this._primaryDb ??= openDatabase(openSession(this.env.DB, { kind: "primary" }), this.metrics, { primary: true }));
  }

  /** The kind of D1 session this request reads from. */
  get sessionKind(): SessionKind {
    return this.start.kind;
  }

  /** The latest bookmark of the request's session (null before any query): for the client to send back. */
  bookmark(): string | null {
    return this._session?.getBookmark() ?? null;
  }

  get cache(): LoyaltyCache {
    return (this._cache ??= new LoyaltyCache(this.env.CACHE, this.metrics));
  }

  /** Who sends email (src/notify/email.ts), or null when nobody can. */
  get emailSender(): EmailSender | null {
    return configuredSender(this.config, this.env);
  }

  /**
   * What records and enqueues messages to members (src/loyalty/notifications/) for this request, its
   * links on `origin` (our public origin: publicOrigin(c)). It writes, so the request must be on the primary.
   */
  notifier(origin: string | null): Notifier {
    return new Notifier({ db: this.db, queue: this.env.NOTIFY_QUEUE, logger: this.logger, origin, canSend: this.emailSender !== null });
  }

  /** The Kounta client of one company for this request: its metrics, and its logger unless given another. */
  readonly kountaClient: KountaClientFactory = (companyId, options) =>
    kountaClientFor(this.config, this.db, { ...options, companyId, logger: options.logger ?? this.logger, metrics: this.metrics });
}

export type AppEnv = {
  Bindings: Env;
  Variables: {
    services: Services;
    requestId: string;
    /** Set by the add-on key check: the one company a company's own key opens (null: any company). */
    addonKeyCompany?: string | null;
  };
};

/** Every request of these routes reads from a session of this kind (set before any handler queries). */
export const d1Session = (kind: SessionKind) =>
  createMiddleware<AppEnv>(async (c, next) => {
    c.get("services").useSession({ kind });
    await next();
  });

/**
 * Read-your-writes for a client that carries a bookmark (the admin API's x-d1-bookmark header, the
 * dashboard's cookie): a read (GET) starts from the bookmark the client sent (or anywhere without
 * one), anything else on the primary; the answer carries the session's latest bookmark back.
 */
export interface BookmarkCarrier {
  read(c: Context<AppEnv>): string | undefined;
  write(c: Context<AppEnv>, bookmark: string): void;
}

export const d1Bookmark = (carrier: BookmarkCarrier, options: { alwaysPrimary?: boolean } = {}) =>
  createMiddleware<AppEnv>(async (c, next) => {
    const services = c.get("services");
    const reads = !options.alwaysPrimary && (c.req.method === "GET" || c.req.method === "HEAD");
    services.useSession(reads ? { kind: "replica", bookmark: carrier.read(c) ?? null } : { kind: "primary" });
    await next();
    const bookmark = services.bookmark();
    if (bookmark) carrier.write(c, bookmark);
  });

/** Adds a header to the answer already made (a handler may have returned a Response of its own). */
export function appendResponseHeader(c: Context<AppEnv>, name: string, value: string): void {
  try {
    c.res.headers.append(name, value);
  } catch {
    c.res = new Response(c.res.body, c.res);
    c.res.headers.append(name, value);
  }
}
