// JSON.parse accepts an object with the same key twice and keeps the last value; other parsers keep
// the first, or refuse. Our JSON routes refuse such a body, as they refuse a query or form
// parameter sent twice: this finds the first key written twice in one object.
//
// One pass over the text, no recursion (an iterative stack, so any depth), linear time. Keys are
// compared as JSON.parse decodes them: "a" and "\u0061" are the same key. Strict: text that is not
// JSON (which JSON.parse refuses) has no duplicate by definition, and gives null.

/** A path into a JSON value: object keys and array indexes, outermost first. */
export type JsonPath = (string | number)[];

/** The path of the first key written twice in one object (`rules[1].points`), or null. */
export function duplicateJsonKey(text: string): string | null {
  const path = duplicateJsonKeyPath(text);
  return path && shortPath(formatJsonPath(path));
}

/** `reward.title`, `rules[1].points`, `["a key"]`: an identifier after a dot, anything else in brackets. */
export function formatJsonPath(path: JsonPath): string {
  let out = "";
  for (const step of path) {
    if (typeof step === "number") out += `[${step}]`;
    else if (IDENTIFIER.test(step)) out += out ? `.${step}` : step;
    else out += `[${JSON.stringify(step)}]`;
  }
  return out;
}

/** A path fit for an error message: at most 200 characters, its end kept (the duplicated key). */
export function shortPath(path: string): string {
  return path.length <= MAX_PATH ? path : `…${path.slice(-(MAX_PATH - 1))}`;
}

const MAX_PATH = 200;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * An open object: its keys so far. The first key is kept alone (`last`), a Set is made at the
 * second, so deep nesting of one-key objects costs little. An open array is its index, a number.
 */
interface ObjectFrame {
  last: string | null;
  keys: Set<string> | null;
}
type Frame = ObjectFrame | number;

/** Stands for every object opened after a duplicate is found: the rest is only checked to be JSON. */
const UNTRACKED: ObjectFrame = { last: null, keys: null };

// What the scanner expects next.
const VALUE = 0; // any value
const VALUE_OR_END = 1; // after "[": a value or "]"
const KEY = 2; // after "," in an object: a key
const KEY_OR_END = 3; // after "{": a key or "}"
const AFTER_VALUE = 4; // ",", the closing bracket, or the end of the text

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * As duplicateJsonKey, the path as a list: keys and indexes. `topLevelOnly` looks at the keys of the
 * outermost object alone (a payload whose nested parts are someone else's).
 */
export function duplicateJsonKeyPath(text: string, options: { topLevelOnly?: boolean } = {}): JsonPath | null {
  const n = text.length;
  const stack: Frame[] = [];
  let found: JsonPath | null = null;
  let state = VALUE;
  let i = 0;

  for (;;) {
    // White space, as JSON defines it.
    let c = text.charCodeAt(i);
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = text.charCodeAt(++i);

    if (state === AFTER_VALUE) {
      const depth = stack.length;
      if (depth === 0) return i === n ? found : null;
      const top = stack[depth - 1]!;
      if (c === 0x2c /* , */) {
        i++;
        if (typeof top === "number") {
          stack[depth - 1] = top + 1;
          state = VALUE;
        } else state = KEY;
      } else if (c === (typeof top === "number" ? 0x5d /* ] */ : 0x7d) /* } */) {
        i++;
        stack.pop();
      } else return null;
      continue;
    }

    if (state === KEY || state === KEY_OR_END) {
      if (c === 0x7d /* } */ && state === KEY_OR_END) {
        i++;
        stack.pop();
        state = AFTER_VALUE;
        continue;
      }
      if (c !== QUOTE) return null;
      const end = stringEnd(text, i);
      if (end < 0) return null;
      const top = stack[stack.length - 1] as ObjectFrame;
      if (top !== UNTRACKED && addKey(top, decodeString(text, i, end))) {
        found = stack.map((f) => (typeof f === "number" ? f : f.last!));
        // Nothing more to find: the objects still open stop keeping keys.
        for (let k = 0; k < stack.length; k++) if (typeof stack[k] !== "number") stack[k] = UNTRACKED;
      }
      i = end;
      c = text.charCodeAt(i);
      while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = text.charCodeAt(++i);
      if (c !== 0x3a /* : */) return null;
      i++;
      state = VALUE;
      continue;
    }

    // VALUE or VALUE_OR_END
    if (c === 0x5d /* ] */ && state === VALUE_OR_END) {
      i++;
      stack.pop();
      state = AFTER_VALUE;
    } else if (c === 0x7b /* { */) {
      i++;
      stack.push(found || (options.topLevelOnly && stack.length > 0) ? UNTRACKED : { last: null, keys: null });
      state = KEY_OR_END;
    } else if (c === 0x5b /* [ */) {
      i++;
      stack.push(0);
      state = VALUE_OR_END;
    } else if (c === QUOTE) {
      i = stringEnd(text, i);
      if (i < 0) return null;
      state = AFTER_VALUE;
    } else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      i = numberEnd(text, i);
      if (i < 0) return null;
      state = AFTER_VALUE;
    } else if (c === 0x74 /* t */ && text.startsWith("true", i)) {
      i += 4;
      state = AFTER_VALUE;
    } else if (c === 0x66 /* f */ && text.startsWith("false", i)) {
      i += 5;
      state = AFTER_VALUE;
    } else if (c === 0x6e /* n */ && text.startsWith("null", i)) {
      i += 4;
      state = AFTER_VALUE;
    } else return null;
  }
}

/** Records the object's next key; true if it already had it. */
function addKey(frame: ObjectFrame, key: string): boolean {
  const { last, keys } = frame;
  frame.last = key;
  if (keys) {
    if (keys.has(key)) return true;
    keys.add(key);
    return false;
  }
  if (last === null) return false;
  if (last === key) return true;
  frame.keys = new Set([last, key]);
  return false;
}

/** The index just past the string starting at `start` (its opening quote), or -1 if it is not JSON. */
function stringEnd(text: string, start: number): number {
  const n = text.length;
  let i = start + 1;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) return i + 1;
    if (c < 0x20) return -1; // control characters must be escaped
    if (c === BACKSLASH) {
      const e = text.charCodeAt(i + 1);
      if (e === 0x75 /* u */) {
        for (let k = i + 2; k < i + 6; k++) if (!isHex(text.charCodeAt(k))) return -1;
        i += 6;
      } else if (e === QUOTE || e === BACKSLASH || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
        i += 2; // \" \\ \/ \b \f \n \r \t
      } else return -1;
    } else i++;
  }
  return -1;
}

/** The value of the (valid) string from `start` (its opening quote) to `end` (just past its closing one). */
function decodeString(text: string, start: number, end: number): string {
  const body = text.slice(start + 1, end - 1);
  if (!body.includes("\\")) return body;
  return body.replace(/\\(?:u([0-9A-Fa-f]{4})|(.))/g, (_, hex: string | undefined, ch: string) =>
    hex !== undefined ? String.fromCharCode(parseInt(hex, 16)) : (ESCAPES[ch] ?? ch),
  );
}

const ESCAPES: Record<string, string> = { b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

function isHex(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66);
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** The index just past the number starting at `start`, or -1 if it is not JSON: -?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)? */
function numberEnd(text: string, start: number): number {
  let i = start;
  if (text.charCodeAt(i) === 0x2d) i++;
  let c = text.charCodeAt(i);
  if (c === 0x30) i++;
  else if (c >= 0x31 && c <= 0x39) while (isDigit(text.charCodeAt(++i)));
  else return -1;
  if (text.charCodeAt(i) === 0x2e /* . */) {
    if (!isDigit(text.charCodeAt(++i))) return -1;
    while (isDigit(text.charCodeAt(++i)));
  }
  c = text.charCodeAt(i);
  if (c === 0x65 || c === 0x45 /* e E */) {
    c = text.charCodeAt(++i);
    if (c === 0x2b || c === 0x2d) i++;
    if (!isDigit(text.charCodeAt(i))) return -1;
    while (isDigit(text.charCodeAt(++i)));
  }
  return i;
}
