import { describe, expect, it } from "vitest";
import {
  adminErrorFields,
  fieldErrors,
  formBody,
  listWindow,
  MemberPatch,
  NewMember,
  NewReward,
  newRewardInput,
  patchFields,
  ProgrammeSettingsPatch,
  settingsPatch,
  type FormFieldKind,
  type FormValues,
} from "../../src/admin/inputs";
import { AdminError } from "../../src/admin/errors";
import { validationMessage } from "../../src/lib/validation";

// The admin API's input schemas as the dashboard's HTML forms use them: pure functions, no Worker
// state (src/admin/inputs/forms.ts).

describe("formBody", () => {
  it("keeps a string field as sent, an empty one too, and leaves a missing one out", () => {
    expect(formBody({ title: "Free coffee", terms: "" }, { title: "string", terms: "string", kind: "string" })).toEqual({
      title: "Free coffee",
      terms: "",
    });
  });

  it("leaves a blank optional text field out and keeps a filled one as sent", () => {
    expect(formBody({ a: "", b: "   ", c: " Ada " }, { a: "optionalString", b: "optionalString", c: "optionalString" })).toEqual({ c: " Ada " });
  });

  it("makes a blank nullable text field null", () => {
    expect(formBody({ a: "", b: " \t", c: "x" }, { a: "nullableString", b: "nullableString", c: "nullableString", d: "nullableString" })).toEqual({
      a: null,
      b: null,
      c: "x",
    });
  });

  it.each<[string, FormFieldKind, unknown]>([
    ["12", "int", 12],
    [" 12 ", "int", 12],
    ["-3", "int", -3],
    ["+4", "number", 4],
    ["2.5", "number", 2.5],
    ["2.5", "int", 2.5],
    [".5", "number", 0.5],
    ["ten", "int", "ten"],
    ["1e3", "number", "1e3"],
    ["12abc", "number", "12abc"],
    ["0x10", "int", "0x10"],
    ["12", "nullableInt", 12],
    ["ten", "nullableNumber", "ten"],
  ])("reads %j as a %s field: %j", (sent, kind, value) => {
    expect(formBody({ n: sent }, { n: kind })).toEqual({ n: value });
  });

  it("leaves a blank number field out, and makes a blank nullable one null", () => {
    expect(formBody({ a: "", b: " ", c: "" }, { a: "int", b: "number", c: "nullableInt", d: "nullableNumber", e: "int" })).toEqual({ c: null });
  });

  it.each<[string, string | string[] | undefined, unknown]>([
    ["a ticked box", "on", true],
    ["true", "true", true],
    ["TRUE, in capitals", "TRUE", true],
    ["an unticked box (not sent)", undefined, false],
    ["false", "false", false],
    ["off", "off", false],
    ["empty", "", false],
    ["a hidden false then a ticked box", ["false", "on"], true],
    ["a hidden false alone", ["false"], false],
    ["something else, left for the schema to refuse", "yes", "yes"],
  ])("reads a checkbox: %s", (_, sent, value) => {
    const form: FormValues = sent === undefined ? {} : { active: sent };
    expect(formBody(form, { active: "boolean" })).toEqual({ active: value });
  });

  it("leaves out what the form has beyond the fields named (a CSRF token, a submit button)", () => {
    expect(formBody({ csrf: "t0k3n", submit: "Save", first_name: "Ada" }, { first_name: "string" })).toEqual({ first_name: "Ada" });
  });

  it("takes a field sent once in an array as that value, and leaves one sent twice as the array", () => {
    expect(formBody({ a: ["x"], b: ["1", "2"], c: ["7"] }, { a: "string", b: "int", c: "int" })).toEqual({ a: "x", b: ["1", "2"], c: 7 });
  });

  it("leaves a file where text is expected as the file", () => {
    const file = new File(["x"], "x.txt");
    expect(formBody({ a: file }, { a: "optionalString" })).toEqual({ a: file });
  });
});

describe("fieldErrors", () => {
  it("answers the first message of each top-level field, the API's wording without the path", () => {
    const issues = [
      { path: ["points_required"], message: "Too small: expected number to be >=1" },
      { path: ["title"], message: "Too small: expected string to have >=1 characters" },
      { path: ["points_required"], message: "a second message" },
      { path: ["ids", 2], message: "Too big" },
    ];
    expect(fieldErrors(issues)).toEqual({
      points_required: "Too small: expected number to be >=1",
      title: "Too small: expected string to have >=1 characters",
      ids: "Too big",
    });
    expect(validationMessage(issues)).toBe(`points_required: ${fieldErrors(issues).points_required}`);
  });

  it("puts an issue of the whole body under _form", () => {
    expect(fieldErrors([{ path: [], message: "Send at least one field to change" }])).toEqual({ _form: "Send at least one field to change" });
  });

  it("answers nothing for no issues", () => {
    expect(fieldErrors([])).toEqual({});
  });
});

describe("adminErrorFields", () => {
  it.each([
    ["to: Must not be before from", { to: "Must not be before from" }],
    ["ids.3: Listed more than once", { ids: "Listed more than once" }],
    ["idempotency_key: Already used for a different adjustment", { idempotency_key: "Already used for a different adjustment" }],
    ["Not enough points: 320 of 500", { _form: "Not enough points: 320 of 500" }],
    ["amount_cents, percent: Not a field that can be changed", { _form: "amount_cents, percent: Not a field that can be changed" }],
    ["This company has no reward with that id", { _form: "This company has no reward with that id" }],
  ])("%s", (message, errors) => {
    expect(adminErrorFields(new AdminError("invalid_request", message))).toEqual(errors);
  });
});

describe("a form through the admin API's own schemas", () => {
  const rewardForm = {
    kind: "string",
    title: "string",
    terms: "nullableString",
    points_required: "int",
    action_label: "optionalString",
    percent: "number",
  } satisfies Record<string, FormFieldKind>;

  it("validates a new reward and maps it as POST /rewards does", () => {
    const body = formBody({ kind: "percent_off", title: " 20% off ", terms: "", points_required: "1000", action_label: "", percent: "20" }, rewardForm);
    const parsed = NewReward.safeParse(body);
    expect(parsed.success).toBe(true);
    expect(newRewardInput(parsed.data!, "co_1")).toEqual({
      companyId: "co_1",
      title: "20% off",
      terms: null,
      pointsRequired: 1000,
      actionLabel: undefined,
      settings: { kind: "percent_off", percent: 20 },
    });
  });

  it("answers each field's message as the API would", () => {
    const parsed = NewReward.safeParse(formBody({ kind: "percent_off", title: "", points_required: "lots", percent: "20" }, rewardForm));
    expect(parsed.success).toBe(false);
    expect(fieldErrors(parsed.error!.issues)).toEqual({
      title: "Too small: expected string to have >=1 characters",
      points_required: "Invalid input: expected number, received string",
    });
  });

  it("answers a refine of the whole body under _form", () => {
    const parsed = NewMember.safeParse(formBody({ first_name: "Ada", email: "", phone: "" }, { first_name: "string", email: "optionalString", phone: "optionalString" }));
    expect(fieldErrors(parsed.error!.issues)).toEqual({ _form: "A member needs an email, phone or card_number" });
  });

  it("clears a member's optional fields with nullable ones", () => {
    const parsed = MemberPatch.safeParse(formBody({ last_name: "", email: "" }, { last_name: "nullableString", email: "nullableString" }));
    expect(patchFields(parsed.data!)).toEqual({ lastName: null, email: null });
  });

  it("reads the settings form, a checkbox and a cleared expiry included", () => {
    const form = { points_label: "Beans", expiry_months: "", points_per_currency_unit: "1.5" };
    const parsed = ProgrammeSettingsPatch.safeParse(
      formBody(form, { points_label: "optionalString", expiry_months: "nullableInt", points_per_currency_unit: "number", auto_enrol: "boolean" }),
    );
    expect(settingsPatch(parsed.data!)).toMatchObject({ pointsLabel: "Beans", expiryMonths: null, pointsPerCurrencyUnit: 1.5, autoEnrol: false });
  });

  it("keeps the AdminError of a mapping that refuses a valid query", () => {
    const refusal = (() => {
      try {
        listWindow({ from: "2024-05-02", to: "2024-05-01", limit: 50 });
      } catch (err) {
        return err;
      }
    })();
    expect(refusal).toBeInstanceOf(AdminError);
    expect((refusal as AdminError).code).toBe("invalid_request");
    expect(adminErrorFields(refusal as AdminError)).toEqual({ to: "Must not be before from" });
  });
});
