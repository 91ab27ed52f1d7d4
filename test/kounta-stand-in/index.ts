// Worker entry of the Kounta stand-in: `npx wrangler dev -c test/kounta-stand-in/wrangler.toml` serves it
// on http://localhost:8788 (API under /v1/, control API under /_stand-in/). One in-memory stand-in per
// isolate, with the demo company 456 seeded; POST /_stand-in/reset starts it over.
import { createKountaStandIn, type KountaStandIn } from "./app.ts";

interface StandInEnv {
  KOUNTA_CLIENT_ID?: string;
  KOUNTA_CLIENT_SECRET?: string;
}

let standIn: KountaStandIn | undefined;

export default {
  fetch(request, env, ctx) {
    standIn ??= createKountaStandIn({ seedDemo: true, demoWebhook: true, clientId: env.KOUNTA_CLIENT_ID, clientSecret: env.KOUNTA_CLIENT_SECRET });
    return standIn.app.fetch(request, env, ctx);
  },
} satisfies ExportedHandler<StandInEnv>;
