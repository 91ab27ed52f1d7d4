import { Hono } from "hono";
import type { Context } from "hono";
import { FORM_ERROR } from "../../admin/inputs";
import { CsvError } from "../../loyalty/members/csv";
import { csvImportRows, ImportTooBigError, runMemberImport } from "../../loyalty/members/import-run";
import { IMPORT_MAX_ROWS, ImportConflictError, type ImportRow } from "../../loyalty/members/member-import";
import { getSettings } from "../../loyalty/settings";
import type { DashboardEnv } from "../env";
import { count } from "../format";
import { emptyForm, readForm, type FormState } from "../forms";
import { render } from "../layout";
import { ImportPage, type ImportResult } from "./import-view";

// Import: a CSV of members, read and imported exactly as the admin API's POST /members/import does
// (csvImportRows, runMemberImport), with its report per row drawn as a table. The report is the
// answer to the post itself (it is not kept anywhere): reloading posts the file again, which the
// import allows, since a second run changes nothing.

export const importRoutes = new Hono<DashboardEnv>();

/** A file at most this large; a CSV of 10,000 members is about 1 MB (the dashboard takes 4 MB posts). */
export const IMPORT_MAX_BYTES = 3 * 1024 * 1024;

// Rounded up, so a file just over the limit never reads as the limit itself.
const mb = (bytes: number) => (Math.ceil((bytes / (1024 * 1024)) * 10) / 10).toFixed(1);

/** The import rows of the posted file, or the message to show next to the file field. */
async function readImportFile(sent: unknown): Promise<{ rows: ImportRow[] } | { error: string }> {
  if (Array.isArray(sent)) return { error: "Choose one file only." };
  if (!(sent instanceof File) || (sent.size === 0 && sent.name === "")) return { error: "Choose a CSV file to import." };
  if (sent.size === 0) return { error: "This file is empty. Choose the CSV file with your members in it." };
  if (sent.size > IMPORT_MAX_BYTES) {
    return { error: `This file is ${mb(sent.size)} MB: a file can be at most ${IMPORT_MAX_BYTES / (1024 * 1024)} MB. Split it into smaller files.` };
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(await sent.arrayBuffer());
  } catch {
    return { error: "This file is not UTF-8 text. In Excel, save it as “CSV UTF-8 (Comma delimited)”; Numbers and Google Sheets export UTF-8 CSV." };
  }
  if (text.includes("\u0000")) return { error: "This is not a CSV file (it holds binary data, perhaps a spreadsheet). Save it as CSV first." };
  let rows: ImportRow[];
  try {
    rows = csvImportRows(text);
  } catch (err) {
    if (err instanceof CsvError) return { error: `This file could not be read as CSV: ${err.message}.` };
    if (err instanceof ImportTooBigError) {
      return { error: `This file has more than ${count(IMPORT_MAX_ROWS)} members. Split it into files of at most ${count(IMPORT_MAX_ROWS)} rows.` };
    }
    throw err;
  }
  if (rows.length === 0) return { error: "This file has a header row but no members under it." };
  return { rows };
}

async function pointsLabel(c: Context<DashboardEnv>): Promise<string> {
  return (await getSettings(c.get("services").db, c.get("session").companyId))?.pointsLabel || "Points";
}

async function show(c: Context<DashboardEnv>, form: FormState, result: ImportResult | null, status: 200 | 400 | 409 = 200) {
  return render(c, <ImportPage c={c} form={form} result={result} pointsLabel={await pointsLabel(c)} />, status);
}

importRoutes.get("/import", (c) => show(c, emptyForm(), null));

importRoutes.post("/import", async (c) => {
  const form = await readForm(c);
  const file = await readImportFile(form.file);
  if ("error" in file) return show(c, { values: {}, errors: { file: file.error } }, null, 400);
  try {
    const report = await runMemberImport(c.get("services"), c.get("session").companyId, file.rows);
    return show(c, emptyForm(), { report, rows: file.rows });
  } catch (err) {
    if (err instanceof ImportConflictError) return show(c, { values: {}, errors: { [FORM_ERROR]: err.message } }, null, 409);
    throw err;
  }
});
