// The admin API's input schemas, SHARED WITH THE MERCHANT DASHBOARD (src/dashboard/): the routes in
// src/admin/routes/ and the dashboard's HTML forms validate with these same schemas (one set, never
// a copy), and map a valid body to the domain call's input with these same functions. A change here
// changes both, and the OpenAPI document (/openapi.json): the schemas keep their OpenAPI names.
//
// - Each subject's file: the schema of each request body (and of the list queries), its inferred
//   type (`<Schema>Body`, `<Query>Params`), and the pure functions from a valid body to what the
//   domain function takes.
// - Where a mapping refuses a valid body (listWindow, changedReward), it throws AdminError
//   (src/admin/errors.ts): `code` (invalid_request, not_found...) and `message` in the admin API's
//   "field: message" form; adminErrorFields (forms.ts) turns it into a form's field errors.
// - forms.ts: a form's values into the JSON-shaped body a schema expects (formBody), and the
//   schema's issues into one message per field (fieldErrors).
//
// Nothing here reads a request, the database or the environment.

export * from "./api-keys";
export * from "./earning-rules";
export * from "./forms";
export * from "./lists";
export * from "./members";
export * from "./notifications";
export * from "./points";
export * from "./rewards";
export * from "./settings";
export * from "./limits";
export * from "./tiers";
