import { describe, expect, it } from "vitest";
import { duplicateJsonKey, duplicateJsonKeyPath, formatJsonPath, shortPath, type JsonPath } from "../../src/lib/json-duplicates";

// The scanner behind "was sent more than once" for JSON bodies (src/lib/json-duplicates.ts): the
// first key written twice in one object, compared as JSON.parse decodes keys; null for anything
// else, including text that is not JSON.

describe("duplicateJsonKey: no duplicate", () => {
  it.each([
    ["a scalar", "1"],
    ["a string", '"a"'],
    ["a literal", "null"],
    ["an empty object", "{}"],
    ["an empty array", "[]"],
    ["distinct keys", '{"a":1,"b":2,"c":3}'],
    ["the same key in nested objects", '{"a":{"a":{"a":1}}}'],
    ["the same key in sibling objects", '{"x":{"a":1},"y":{"a":2}}'],
    ["an array of objects with the same keys", '{"rules":[{"points":1,"kind":"x"},{"points":2,"kind":"y"},{"points":3}]}'],
    ["a top-level array of objects", '[{"id":1},{"id":2},{"id":3}]'],
    ["an array of the same values", '["a","a",1,1,{},{}]'],
    ["keys differing in case", '{"a":1,"A":2}'],
    ["keys differing by a space", '{"a":1,"a ":2," a":3}'],
    ["an escaped backslash before u0061 is not a", '{"a":1,"\\\\u0061":2}'],
    ["a key equal to a value", '{"a":"b","b":"a"}'],
    ["a key in a value string", '{"a":"{\\"a\\":1}","b":1}'],
    ["the empty key once", '{"":1,"a":2}'],
    ["a key that closes an object after a duplicate-looking value", '{"a":[{"b":1}],"b":{"a":1}}'],
    ["white space everywhere", ' \t\r\n{ \n"a" \t: [ 1 , { "b" : true } ] , "b" : null }\n '],
    ["numbers of every form", '{"a":-0,"b":1.5,"c":1E+2,"d":0.5e-3,"e":12345678901234567890,"f":-1e5}'],
    ["escapes of every kind in keys", '{"\\"":1,"\\\\":2,"\\/x":3,"\\b":4,"\\f":5,"\\n":6,"\\r":7,"\\t":8,"\\u00e9":9}'],
    ["a lone surrogate escape (JSON.parse takes it)", '{"\\ud800":1,"\\udc00":2}'],
  ])("%s", (_name, text) => {
    expect(() => JSON.parse(text)).not.toThrow();
    expect(duplicateJsonKey(text)).toBeNull();
  });
});

describe("duplicateJsonKey: the first key written twice", () => {
  it.each([
    ["at the top", '{"title":"A","title":"B"}', "title"],
    ["with other keys between", '{"a":1,"b":2,"c":3,"b":4}', "b"],
    ["the same value twice", '{"order_id":"1","order_id":"1"}', "order_id"],
    ["in a nested object", '{"reward":{"kind":"x","title":"A","title":"B"}}', "reward.title"],
    ["in an array of objects", '{"rules":[{"points":1},{"points":2,"points":3}]}', "rules[1].points"],
    ["in a top-level array", '[{"a":1},{"a":1,"a":2}]', "[1].a"],
    ["deep in arrays and objects", '{"a":[[0,{"b":[{"c":1,"c":2}]}]]}', "a[0][1].b[0].c"],
    ["the first one in the text, not the outermost", '{"x":{"y":1,"y":2},"x":3}', "x.y"],
    ["whose value is an object", '{"a":{"b":1},"a":{"b":2}}', "a"],
    ["the empty key", '{"":1,"":2}', '[""]'],
    ["a key that is not an identifier", '{"a b":{"c-d":1,"c-d":2}}', '["a b"]["c-d"]'],
    ["an identifier after a non-identifier", '{"a b":{"c":1,"c":1}}', '["a b"].c'],
    ["a key written with a \\u escape", '{"a":1,"\\u0061":2}', "a"],
    ["a key written with an upper-case \\u escape", '{"\\u00E9":1,"é":2}', '["é"]'],
    ["a surrogate pair, raw and escaped", '{"😀":1,"\\ud83d\\ude00":2}', '["😀"]'],
    ["a short escape and its \\u form", '{"a\\nb":1,"a\\u000ab":2}', '["a\\nb"]'],
    ["an escaped solidus", '{"/":1,"\\/":2}', '["/"]'],
    ["an escaped quote", '{"\\"":1,"\\u0022":2}', '["\\""]'],
    ["a third time", '{"a":1,"a":2,"a":3}', "a"],
    ["after many keys", `{${Array.from({ length: 1000 }, (_, i) => `"k${i}":${i}`).join(",")},"k500":0}`, "k500"],
  ])("%s", (_name, text, path) => {
    expect(() => JSON.parse(text)).not.toThrow();
    expect(duplicateJsonKey(text)).toBe(path);
  });

  it("gives the path as keys and indexes too", () => {
    expect(duplicateJsonKeyPath('{"rules":[{"points":1},{"points":2,"points":3}]}')).toEqual(["rules", 1, "points"]);
    expect(duplicateJsonKeyPath('{"a b":{"":1,"":2}}')).toEqual(["a b", ""]);
  });
});

describe("duplicateJsonKey: text that is not JSON is null, duplicates or not", () => {
  it.each([
    ["empty", ""],
    ["white space only", " \n "],
    ["a byte-order mark", '\ufeff{"a":1,"a":2}'],
    ["cut off", '{"a":1,"a":2'],
    ["cut off in a string", '{"a":1,"a":"x'],
    ["a trailing comma", '{"a":1,"a":2,}'],
    ["a trailing comma in an array", '[{"a":1,"a":2},]'],
    ["a missing comma", '{"a":1 "a":2}'],
    ["a missing colon", '{"a" 1,"a":2}'],
    ["a key without a value", '{"a","a":1}'],
    ["a number as key", '{1:1,1:2}'],
    ["single quotes", "{'a':1,'a':2}"],
    ["a second value", '{"a":1,"a":2} {}'],
    ["an extra closing brace", '{"a":1,"a":2}}'],
    ["mismatched brackets", '{"a":[1,"a":2}]'],
    ["a closing bracket for an object", '{"a":1,"a":2]'],
    ["a leading zero", '{"a":01,"a":2}'],
    ["a bare minus", '{"a":-,"a":2}'],
    ["a dot without digits", '{"a":1.,"a":2}'],
    ["a leading dot", '{"a":.5,"a":2}'],
    ["a plus sign", '{"a":+1,"a":2}'],
    ["an exponent without digits", '{"a":1e,"a":2}'],
    ["NaN", '{"a":NaN,"a":2}'],
    ["a truncated literal", '{"a":tru,"a":2}'],
    ["a literal in capitals", '{"a":True,"a":2}'],
    ["a raw line break in a string", '{"a":"x\ny","a":2}'],
    ["a raw tab in a key", '{"a\t":1,"a\t":2}'],
    ["an unknown escape", '{"a":"\\x41","a":2}'],
    ["a short \\u escape", '{"a":"\\u004","a":2}'],
    ["a non-hex \\u escape", '{"\\u00g1":1,"\\u00g1":2}'],
    ["a comment", '{"a":1,/* */"a":2}'],
    ["an unquoted key", "{a:1,a:2}"],
  ])("%s", (_name, text) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(duplicateJsonKey(text)).toBeNull();
  });
});

describe("duplicateJsonKey: any depth, any size", () => {
  it("takes nesting far deeper than a recursive parser could, with a duplicate at the bottom", () => {
    const depth = 200_000;
    const arrays = "[".repeat(depth) + '{"a":1,"a":2}' + "]".repeat(depth);
    expect(duplicateJsonKeyPath(arrays)).toEqual([...Array<number>(depth).fill(0), "a"]);
    const objects = '{"a":'.repeat(depth) + '{"b":1,"b":2}' + "}".repeat(depth);
    const path = duplicateJsonKey(objects)!;
    // A long path is cut to its end: the duplicated key stays in sight.
    expect(path.length).toBe(200);
    expect(path.startsWith("…")).toBe(true);
    expect(path.endsWith("a.a.b")).toBe(true);
    expect(duplicateJsonKey("[".repeat(depth) + "]".repeat(depth))).toBeNull();
    expect(duplicateJsonKey("[".repeat(depth) + "]".repeat(depth - 1))).toBeNull();
  });

  it("keeps checking that the text is JSON after the duplicate", () => {
    const tail = `,"rest":[${Array.from({ length: 1000 }, (_, i) => `{"x":${i}}`).join(",")}]`;
    expect(duplicateJsonKey(`{"a":1,"a":2${tail}}`)).toBe("a");
    expect(duplicateJsonKey(`{"a":1,"a":2${tail}`)).toBeNull();
    expect(duplicateJsonKey(`{"a":1,"a":2${tail},}`)).toBeNull();
  });

  it("reads a 2 MB member import (long strings, many escapes) in one pass", () => {
    const members = Array.from({ length: 8000 }, (_, i) => ({
      first_name: `John ${i}`,
      email: `john.${i}@example.com`,
      notes: 'a "quoted" \\ path\n'.repeat(10),
      tags: ["a", "b"],
    }));
    const text = JSON.stringify({ members });
    expect(text.length).toBeGreaterThan(2_000_000);
    expect(duplicateJsonKey(text)).toBeNull();
    const withDuplicate = text.replace('"email":"john.7999@example.com"', '"email":"x","email":"john.7999@example.com"');
    expect(duplicateJsonKey(withDuplicate)).toBe("members[7999].email");
  });
});

describe("duplicateJsonKey against JSON.parse", () => {
  // A seeded generator, so a failure can be replayed.
  function random(seed: number) {
    return () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x80000000;
    };
  }

  /** Random JSON text that may write keys twice (some escaped), and its first duplicate's path. */
  function generate(rnd: () => number): { text: string; expected: JsonPath | null } {
    let expected: JsonPath | null = null;
    const path: JsonPath = [];
    const keyForms: Record<string, string[]> = {
      a: ['"a"', '"\\u0061"'],
      b: ['"b"', '"\\u0062"'],
      é: ['"é"', '"\\u00e9"', '"\\u00E9"'],
      "x y": ['"x y"', '"x\\u0020y"'],
      "\n": ['"\\n"', '"\\u000a"'],
    };
    const keys = Object.keys(keyForms);
    const pick = <T>(list: T[]) => list[Math.floor(rnd() * list.length)]!;
    const ws = () => pick(["", "", " ", "\n  "]);
    const value = (depth: number): string => {
      const r = rnd();
      if (depth > 4 || r < 0.3) return pick(["1", "-2.5e3", "true", "null", '"s"', '"\\"a\\""', "0"]);
      if (r < 0.6) {
        const n = Math.floor(rnd() * 4);
        const items: string[] = [];
        for (let i = 0; i < n; i++) {
          path.push(i);
          items.push(ws() + value(depth + 1) + ws());
          path.pop();
        }
        return `[${items.join(",")}]`;
      }
      const n = Math.floor(rnd() * 4);
      const seen = new Set<string>();
      const entries: string[] = [];
      for (let i = 0; i < n; i++) {
        const key = pick(keys);
        if (seen.has(key) && expected === null) expected = [...path, key];
        seen.add(key);
        path.push(key);
        entries.push(`${ws()}${pick(keyForms[key]!)}${ws()}:${ws()}${value(depth + 1)}`);
        path.pop();
      }
      return `{${entries.join(",")}}`;
    };
    return { text: value(0), expected };
  }

  it("finds the first duplicate, in the text's order, in 3000 random documents", () => {
    const rnd = random(13);
    let withDuplicates = 0;
    for (let n = 0; n < 3000; n++) {
      const { text, expected } = generate(rnd);
      expect(() => JSON.parse(text)).not.toThrow();
      expect({ text, path: duplicateJsonKeyPath(text) }).toEqual({ text, path: expected });
      if (expected) {
        withDuplicates++;
        expect(duplicateJsonKey(text)).toBe(shortPath(formatJsonPath(expected)));
      }
    }
    expect(withDuplicates).toBeGreaterThan(300);
  });

  it("finds nothing in text JSON.parse refuses: 3000 random mutations of documents", () => {
    const rnd = random(6);
    const noise = ["{", "}", "[", "]", ",", ":", '"', "\\", "0", "-", ".", "e", "t", " ", "\n", "\u0001", "x"];
    let refused = 0;
    for (let n = 0; n < 3000; n++) {
      let { text } = generate(rnd);
      const at = Math.floor(rnd() * (text.length + 1));
      const r = rnd();
      text =
        r < 0.4
          ? text.slice(0, at) + noise[Math.floor(rnd() * noise.length)] + text.slice(at)
          : r < 0.7
            ? text.slice(0, at) + text.slice(at + 1)
            : text.slice(0, at);
      let valid = true;
      try {
        JSON.parse(text);
      } catch {
        valid = false;
      }
      if (!valid) {
        refused++;
        expect({ text, path: duplicateJsonKeyPath(text) }).toEqual({ text, path: null });
      }
    }
    expect(refused).toBeGreaterThan(1000);
  });
});

describe("formatJsonPath", () => {
  it.each<[JsonPath, string]>([
    [["title"], "title"],
    [["reward", "title"], "reward.title"],
    [["rules", 1, "points"], "rules[1].points"],
    [[0, "a"], "[0].a"],
    [["$x", "_y", "z9"], "$x._y.z9"],
    [["9z"], '["9z"]'],
    [["a.b", "c"], '["a.b"].c'],
    [["quote\"d"], '["quote\\"d"]'],
  ])("%j is %s", (path, text) => {
    expect(formatJsonPath(path)).toBe(text);
  });
});

describe("duplicateJsonKeyPath with topLevelOnly", () => {
  it.each([
    ['{"a":1,"b":{"c":1,"c":2}}', null],
    ['{"a":1,"b":[{"c":1,"c":2}],"a":2}', ["a"]],
    ['{"a":{"x":1,"x":2},"a":2}', ["a"]],
    ['{"a":1,"b":2}', null],
  ])("%s: %j", (text, expected) => {
    expect(duplicateJsonKeyPath(text, { topLevelOnly: true })).toEqual(expected);
  });
});
