import type { AppEnv } from "../services";
import type { DashboardSession } from "../storage/dashboard-sessions";

export type DashboardEnv = {
  Bindings: AppEnv["Bindings"];
  Variables: AppEnv["Variables"] & {
    /** Set by requireSession (./session.ts): the signed-in company; every read and write is scoped to it. */
    session: DashboardSession;
    /** The company's name, for the header. */
    companyName: string;
  };
};
