import { loadConfig, type Config } from "./config";
import { kountaClientFor, type KountaClientFactory } from "./kounta-api/client";
import { openDatabase, type Database } from "./storage/db";
import { LoyaltyCache } from "./loyalty/cache";
import type { Logger } from "./lib/logger";
import type { RequestMetrics } from "./lib/metrics";

/**
 * What a handler works with, built per request. Config, D1 and KV are opened on first use, so
 * /health touches none of them.
 */
export class Services {
  private _config?: Config;
  private _db?: Database;
  private _cache?: LoyaltyCache;

  constructor(
    private readonly env: Env,
    readonly metrics: RequestMetrics,
    readonly logger: Logger,
  ) {}

  get config(): Config {
    return (this._config ??= loadConfig(this.env));
  }

  get db(): Database {
    return (this._db ??= openDatabase(this.env.DB, this.metrics));
  }

  get cache(): LoyaltyCache {
    return (this._cache ??= new LoyaltyCache(this.env.CACHE, this.metrics));
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
