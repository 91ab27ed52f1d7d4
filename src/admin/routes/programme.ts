import { adminRouter } from "../app";

// The programme: rewards, programme settings, earning rules.
export const programmeRoutes = adminRouter();
