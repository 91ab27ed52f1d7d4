import { env } from "cloudflare:test";
import { loadConfig } from "../../src/config";
import { KountaClient } from "../../src/kounta-api/client";
import { Logger } from "../../src/lib/logger";
import { db } from "../harness";
import { KOUNTA_ORIGIN } from "../kounta-harness";

export type ClientOptions = Partial<ConstructorParameters<typeof KountaClient>[0]>;

/**
 * A Kounta client of one company as the tests build it: the stand-in's API, the tests' OAuth client
 * and encryption keys, a 7 s deadline; `options` replace any of it. `test` names its log lines.
 */
export function testKountaClient(companyId: string, test: string, options: ClientOptions = {}): KountaClient {
  return new KountaClient({
    db,
    companyId,
    baseUrl: `${KOUNTA_ORIGIN}/v1`,
    clientId: "test-client-id",
    clientSecret: "test-client-secret",
    encryptionKeys: loadConfig(env).TOKEN_ENCRYPTION_KEYS,
    logger: new Logger({ test }),
    deadline: Date.now() + 7_000,
    ...options,
  });
}
