// A small RFC 4180 reader for member imports: quoted fields, "" inside quotes, commas and line
// breaks inside quotes, LF, CRLF or CR line ends, a leading byte-order mark (spreadsheet exports).

export class CsvError extends Error {}

/** Every record of a CSV text as its fields. A blank line is skipped. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  let fieldStarted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;

  const endField = () => {
    record.push(field);
    field = "";
    fieldStarted = false;
  };
  const endRecord = () => {
    endField();
    if (!(record.length === 1 && record[0] === "")) records.push(record);
    record = [];
  };

  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        const next = text[i];
        if (next !== undefined && next !== "," && next !== "\r" && next !== "\n") {
          throw new CsvError(`line ${lineOf(text, i)}: text after a closing quote`);
        }
        continue;
      }
      field += ch;
      i++;
      continue;
    }
    if (ch === '"' && !fieldStarted && field === "") {
      quoted = true;
      fieldStarted = true;
      i++;
    } else if (ch === ",") {
      endField();
      i++;
    } else if (ch === "\r" || ch === "\n") {
      endRecord();
      i += ch === "\r" && text[i + 1] === "\n" ? 2 : 1;
    } else {
      field += ch;
      fieldStarted = true;
      i++;
    }
  }
  if (quoted) throw new CsvError("a quoted field is not closed");
  if (field !== "" || fieldStarted || record.length > 0) endRecord();
  return records;
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = 0; i < index; i++) {
    if (text[i] === "\n" || (text[i] === "\r" && text[i + 1] !== "\n")) line++;
  }
  return line;
}

/**
 * The records after the header row as objects keyed by the header's names (trimmed, lower-cased).
 * A record whose field count differs from the header's is returned as the count it has, so the
 * caller can reject that row alone.
 */
export function csvObjects(
  text: string,
  allowed: readonly string[],
): { header: string[]; rows: (Record<string, string> | { fieldCount: number })[] } {
  const [head, ...body] = parseCsv(text);
  if (!head) throw new CsvError("the CSV is empty: send a header row first");
  const header = head.map((h) => h.trim().toLowerCase());
  const unknown = header.find((h) => !allowed.includes(h));
  if (unknown !== undefined) throw new CsvError(`unknown column "${unknown}" (columns: ${allowed.join(", ")})`);
  const repeated = header.find((h, i) => header.indexOf(h) !== i);
  if (repeated !== undefined) throw new CsvError(`column "${repeated}" appears twice`);
  const rows = body.map((fields) => {
    if (fields.length !== header.length) return { fieldCount: fields.length };
    return Object.fromEntries(header.map((h, i) => [h, fields[i]!]));
  });
  return { header, rows };
}
