import { adminRouter } from "../app";

// Points: adjustments, the ledger and the redemptions of a member or of the company.
export const pointsRoutes = adminRouter();
