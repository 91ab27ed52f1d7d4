import { validationMessage } from "../../lib/validation";
import { newMemberSchema, type MemberFields } from "./member-fields";

// What an import takes in (a row as received) and gives back (a report per row).

export type ImportStatus = "created" | "updated" | "unchanged" | "rejected";
export interface ImportRowReport {
  row: number;
  status: ImportStatus;
  id?: string;
  reason?: string;
}
export interface ImportReport {
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  rows: ImportRowReport[];
}

/** A row as received: its values, or why it could not even be read (a CSV line with too few fields). */
export type ImportRow = { values: unknown } | { unreadable: string };

/** A member's fields as a row gives them: the first name, and what else it has. */
export type Given = { firstName: string } & Partial<Omit<MemberFields, "firstName">>;

/** Reads the row: empty cells and nulls mean "not given" (an update keeps what the member has). */
export function readRow(values: unknown): { given: Given } | { reason: string } {
  if (typeof values !== "object" || values === null || Array.isArray(values)) return { reason: "a row is an object of member fields" };
  const cleaned = Object.fromEntries(
    Object.entries(values).filter(([, v]) => v !== null && !(typeof v === "string" && v.trim() === "")),
  );
  const parsed = newMemberSchema.safeParse(cleaned);
  if (!parsed.success) return { reason: validationMessage(parsed.error.issues) };
  const d = parsed.data;
  const given: Given = { firstName: d.first_name };
  if (d.last_name != null) given.lastName = d.last_name;
  if (d.email != null) given.email = d.email;
  if (d.phone != null) given.phone = d.phone;
  if (d.card_number != null) given.cardNumber = d.card_number;
  return { given };
}
