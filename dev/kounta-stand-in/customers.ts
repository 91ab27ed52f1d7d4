// Customers: read, look up (reference_id -> array; email or name+phone -> 302 or 404), create, update.
import type { Hono } from "hono";
import {
  ApiError,
  badRequest,
  bodyObject,
  callOf,
  companyOf,
  created,
  has,
  jsonResponse,
  notFound,
  paged,
  pathId,
  readString,
  urlFor,
  type AppEnv,
  type JsonObject,
} from "./http.ts";
import { customerJson } from "./render.ts";
import { PAGE_SIZE, nextId, type Customer, type StandInState } from "./state.ts";

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const digits = (s: string) => s.replace(/\D/g, "");

type CustomerFields = Partial<Pick<Customer, "firstName" | "lastName" | "email" | "phone" | "referenceId" | "tags" | "image">>;

function readCustomerFields(body: JsonObject): CustomerFields {
  const fields: CustomerFields = {};
  const firstName = readString(body, "first_name");
  if (firstName !== undefined) {
    if (firstName === null || firstName.trim() === "") throw badRequest("first_name must not be empty");
    fields.firstName = firstName;
  }
  const lastName = readString(body, "last_name");
  if (lastName !== undefined) fields.lastName = lastName === "" ? null : lastName;
  const email = readString(body, "email");
  if (email !== undefined) {
    if (email !== null && email !== "" && !EMAIL.test(email)) throw badRequest(`${email} is not an email address`);
    fields.email = email === "" ? null : email;
  }
  const phone = readString(body, "phone");
  if (phone !== undefined) fields.phone = phone === "" ? null : phone;
  const referenceId = readString(body, "reference_id");
  if (referenceId !== undefined) fields.referenceId = referenceId === "" ? null : referenceId;
  if (has(body, "tags")) {
    const tags = body.tags;
    if (tags === null) fields.tags = [];
    else if (Array.isArray(tags) && tags.every((t) => typeof t === "string")) fields.tags = tags as string[];
    else throw badRequest("tags must be an array of strings");
  }
  const image = readString(body, "image");
  if (image !== undefined) fields.image = image === "" ? null : image;
  return fields;
}

export function registerCustomerRoutes(app: Hono<AppEnv>, state: StandInState): void {
  const customers = "/v1/companies/:company/customers";

  app.get(customers, (c) => {
    const company = companyOf(c);
    const all = [...company.customers.values()].sort((a, b) => Number(a.id) - Number(b.id));
    const referenceId = c.req.query("reference_id");
    if (referenceId !== undefined) {
      return jsonResponse(200, all.filter((x) => x.referenceId !== null && x.referenceId === referenceId).map(customerJson));
    }
    const email = c.req.query("email");
    const firstName = c.req.query("first_name");
    const lastName = c.req.query("last_name");
    const phone = c.req.query("phone");
    let match: Customer | undefined;
    if (email !== undefined) {
      const wanted = email.trim().toLowerCase();
      match = all.find((x) => x.email !== null && x.email.toLowerCase() === wanted);
    } else if (firstName !== undefined || lastName !== undefined || phone !== undefined) {
      if (firstName === undefined || lastName === undefined || phone === undefined) {
        throw badRequest("first_name, last_name and phone go together: send all three (or email, or reference_id)");
      }
      match = all.find(
        (x) =>
          x.firstName.toLowerCase() === firstName.trim().toLowerCase() &&
          (x.lastName ?? "").toLowerCase() === lastName.trim().toLowerCase() &&
          x.phone !== null &&
          digits(x.phone) === digits(phone) &&
          digits(phone) !== "",
      );
    } else {
      return paged(c, all, PAGE_SIZE, customerJson);
    }
    if (!match) throw new ApiError(404, "not_found", "No customer matches");
    return new Response(null, { status: 302, headers: { Location: urlFor(c, `/v1/companies/${company.id}/customers/${match.id}`) } });
  });

  app.get(`${customers}/:customer`, (c) => {
    const id = pathId(c.req.param("customer"), "Customer");
    const customer = companyOf(c).customers.get(id);
    if (!customer) throw notFound(`Customer ${id}`);
    return jsonResponse(200, customerJson(customer));
  });

  app.post(customers, (c) => {
    const company = companyOf(c);
    const fields = readCustomerFields(bodyObject(callOf(c).body));
    if (fields.firstName === undefined) throw badRequest("first_name is required");
    if (!fields.email && !fields.phone) throw badRequest("A customer needs an email or a phone");
    const now = state.now();
    const id = nextId(state);
    company.customers.set(id, {
      id,
      firstName: fields.firstName,
      lastName: fields.lastName ?? null,
      email: fields.email ?? null,
      phone: fields.phone ?? null,
      referenceId: fields.referenceId ?? null,
      tags: fields.tags ?? [],
      image: fields.image ?? null,
      createdAt: now,
      updatedAt: now,
    });
    return created(c, `/v1/companies/${company.id}/customers/${id}`);
  });

  app.put(`${customers}/:customer`, (c) => {
    const id = pathId(c.req.param("customer"), "Customer");
    const customer = companyOf(c).customers.get(id);
    if (!customer) throw notFound(`Customer ${id}`);
    const fields = readCustomerFields(bodyObject(callOf(c).body));
    const next = { ...customer, ...fields };
    if (!next.email && !next.phone) throw badRequest("A customer needs an email or a phone");
    Object.assign(customer, fields, { updatedAt: state.now() });
    return jsonResponse(200, customerJson(customer));
  });

  app.delete(`${customers}/:customer`, () => {
    throw new ApiError(405, "method_not_allowed", "The stand-in does not delete customers", { Allow: "GET, PUT" });
  });
}
