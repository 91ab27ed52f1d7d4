import { JOIN_CONTACT_REQUIRED } from "../loyalty/members/join";

// The join form's messages, one per field, for a customer: the rules are the member field schemas'
// (src/loyalty/members/member-fields.ts), the sentences are this page's own.

type Issue = { path: readonly PropertyKey[]; code: string; message: string };

const fallback: Record<string, string> = {
  first_name: "Please enter your first name (at most 100 characters).",
  last_name: "Your last name can have at most 100 characters.",
  email: "This is not an email address we can use: check it (such as name@example.com).",
  phone: "This is not a mobile number we can use: check it.",
  consent: "Tick this box to join.",
};

function message(field: string, issue: Issue): string {
  if (field === "email" && issue.message === JOIN_CONTACT_REQUIRED) return "Give your email or your mobile number (or both).";
  // The phone rules say what is wrong in words of their own ("Use digits, spaces and + - ( ) only").
  if (field === "phone" && (issue.code === "custom" || issue.code === "invalid_format")) return `${issue.message}.`;
  return fallback[field] ?? "Please check this.";
}

/** field name -> the first message about it; a message about no field of the form goes to none. */
export function joinErrors(issues: readonly Issue[]): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of issues) {
    const field = String(issue.path[0] ?? "");
    if (!(field in fallback) || field in errors) continue;
    errors[field] = message(field, issue);
  }
  return errors;
}
