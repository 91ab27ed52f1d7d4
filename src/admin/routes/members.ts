import { adminRouter } from "../app";

// Members: create, read, update, deactivate, list (cursor) and search, bulk import, icons.
export const memberRoutes = adminRouter();
