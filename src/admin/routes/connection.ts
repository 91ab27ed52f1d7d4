import { adminRouter } from "../app";

// The company's Kounta connection: status and disconnecting.
export const connectionRoutes = adminRouter();
