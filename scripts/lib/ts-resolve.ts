// Lets the scripts import the Worker's own modules from src/: `node --experimental-transform-types
// --import ./scripts/lib/ts-resolve.ts scripts/<script>.ts` (package.json's seed and bench;
// SRC_IMPORT_FLAGS in ./wrangler.ts for a script run by another).
//
// Node runs .ts files as they are, but its ESM resolver takes a relative specifier literally, and
// src/ writes its imports as the bundler does: "./crypto" for ./crypto.ts, "./schema" for
// ./schema/index.ts. This resolve hook tries those two when a relative specifier imported from a .ts
// file names no file (node:module registerHooks: synchronous, in the same thread; no dependency).
// --experimental-transform-types is for what type stripping alone refuses (src/ has constructor
// parameter properties). Only modules without Workers-only imports (cloudflare:workers, bindings)
// load this way: the scripts import pure ones (crypto, hashing, search terms, cache keys).

import { existsSync, statSync } from "node:fs";
import { registerHooks } from "node:module";

const isFile = (url: URL) => existsSync(url) && statSync(url).isFile();

registerHooks({
  resolve(specifier, context, nextResolve) {
    const parent = context.parentURL;
    if (parent?.startsWith("file:") && parent.endsWith(".ts") && /^\.\.?\//.test(specifier) && !isFile(new URL(specifier, parent))) {
      for (const candidate of [`${specifier}.ts`, `${specifier.replace(/\/$/, "")}/index.ts`]) {
        if (isFile(new URL(candidate, parent))) return nextResolve(candidate, context);
      }
    }
    return nextResolve(specifier, context);
  },
});
