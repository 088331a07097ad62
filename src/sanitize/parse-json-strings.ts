import { inputError } from "../errors.js";

/**
 * Deepest JSON nesting accepted. Real configs and tokenizers nest under 20 levels; a deeper
 * document is an attack or an accident, and a recursive consumer would overflow the stack on it.
 */
export const MAX_JSON_DEPTH = 512;

export interface JsonString {
  /** RFC 6901 pointer of the value (for a key: of the member it names). */
  pointer: string;
  /** The decoded string. */
  value: string;
  /** Offset of the opening quote in the source text. */
  offset: number;
  isKey: boolean;
}

/**
 * Lists every string (keys and values) of a JSON document with its JSON pointer and source
 * offset. Iterative (an explicit stack), so nesting depth costs heap, not call stack; bounded by
 * `MAX_JSON_DEPTH`. Throws `JSON_INVALID` / `JSON_TOO_DEEP` / `JSON_DUPLICATE_KEY` input errors
 * with the offset.
 */
export function parseJsonStrings(
  text: string,
  file: string,
  maxDepth = MAX_JSON_DEPTH,
  /**
   * Called for each string instead of collecting it (the result is then empty): a 90 MB
   * tokenizer.json holds millions of strings, and their pointers would cost more memory than the
   * text. `pointer()` is valid only during the call.
   */
  visit?: (s: { value: string; offset: number; isKey: boolean; pointer: () => string }) => void,
): JsonString[] {
  const out: JsonString[] = [];
  const emit = (value: string, offset: number, isKey: boolean) => {
    if (visit) visit({ value, offset, isKey, pointer: pointerOf });
    else out.push({ pointer: pointerOf(), value, offset, isKey });
  };
  // One frame per open container: its kind, the path segment of the current member, the next array index.
  // `keys`: the names an object has so far (duplicates are refused: `JSON.parse` keeps the last,
  // so a scrubber and a loader could see different values under one name).
  // Keys are remembered by a 53-bit hash and the offset of their first occurrence (a collision is
  // checked against the text), not as strings: a vocabulary object has hundreds of thousands.
  const stack: { kind: "obj" | "arr"; key: string; index: number; expectKey: boolean; keys?: Map<number, number> }[] =
    [];
  const pointerOf = () =>
    stack
      .slice(1)
      .map((f) => `/${escapePointer(f.key)}`)
      .join("");
  let i = 0;
  const n = text.length;
  const fail = (code: string, what: string): never => {
    throw inputError(code, `${file}: ${what} at character ${i}`, {
      location: { file, offset: i },
      hint:
        code === "JSON_TOO_DEEP"
          ? `JSON nested deeper than ${maxDepth} levels is refused; no model file needs that.`
          : code === "JSON_DUPLICATE_KEY"
            ? "An object names the same key twice; readers disagree on which value counts. Keep one."
            : "Fix or remove the file; it is not valid JSON.",
    });
  };
  const skipWs = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
  };
  const readString = (): string => {
    // i at opening quote
    i++;
    let s = "";
    let runStart = i;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        s += text.slice(runStart, i);
        i++;
        return s;
      }
      if (c === 0x5c) {
        s += text.slice(runStart, i);
        const e = text[i + 1];
        if (e === "u") {
          const hex = text.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail("JSON_INVALID", "bad \\u escape");
          s += String.fromCharCode(parseInt(hex, 16));
          i += 6;
        } else {
          const map: Record<string, string> = {
            '"': '"',
            "\\": "\\",
            "/": "/",
            b: "\b",
            f: "\f",
            n: "\n",
            r: "\r",
            t: "\t",
          };
          const v = e === undefined ? undefined : map[e];
          if (v === undefined) fail("JSON_INVALID", "bad escape");
          s += v;
          i += 2;
        }
        runStart = i;
        continue;
      }
      if (c < 0x20) fail("JSON_INVALID", "control character in string");
      i++;
    }
    return fail("JSON_INVALID", "unterminated string");
  };
  // Root frame so that pointers are built uniformly; its key is dropped by `.slice(1)`.
  stack.push({ kind: "arr", key: "", index: 0, expectKey: false });
  let expectValue = true;
  skipWs();
  while (true) {
    skipWs();
    if (i >= n) {
      if (stack.length === 1 && !expectValue) return out;
      fail("JSON_INVALID", "unexpected end of input");
    }
    const top = stack[stack.length - 1]!;
    const c = text[i]!;
    if (expectValue) {
      if (top.kind === "obj" && top.expectKey) {
        if (c === "}" && top.index === 0) {
          i++;
          stack.pop();
          expectValue = false;
          continue;
        }
        if (c !== '"') fail("JSON_INVALID", "expected a key");
        const at = i;
        top.key = readString();
        top.keys ??= new Map();
        const h = hashKey(top.key);
        const first = top.keys.get(h);
        if (first !== undefined) {
          const after = i;
          i = first;
          const earlier = readString();
          i = at;
          if (earlier === top.key) fail("JSON_DUPLICATE_KEY", "duplicate key");
          i = after;
        } else top.keys.set(h, at);
        emit(top.key, at, true);
        skipWs();
        if (text[i] !== ":") fail("JSON_INVALID", "expected ':'");
        i++;
        top.expectKey = false;
        continue;
      }
      if (top.kind === "arr" && stack.length > 1 && c === "]" && top.index === 0) {
        i++;
        stack.pop();
        expectValue = false;
        continue;
      }
      if (top.kind === "arr" && stack.length > 1) top.key = String(top.index);
      if (c === "{" || c === "[") {
        if (stack.length > maxDepth) fail("JSON_TOO_DEEP", `nesting deeper than ${maxDepth}`);
        i++;
        stack.push({ kind: c === "{" ? "obj" : "arr", key: "", index: 0, expectKey: c === "{" });
        continue;
      }
      if (c === '"') {
        const at = i;
        emit(readString(), at, false);
      } else {
        const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null|NaN|-?Infinity)/.exec(
          text.slice(i, i + 400),
        );
        if (!m) fail("JSON_INVALID", "unexpected character");
        i += m![0].length;
      }
      expectValue = false;
      continue;
    }
    // After a value: a separator or a closer.
    if (stack.length === 1) fail("JSON_INVALID", "trailing content");
    if (c === ",") {
      i++;
      top.index++;
      if (top.kind === "obj") top.expectKey = true;
      expectValue = true;
      continue;
    }
    if ((c === "}" && top.kind === "obj") || (c === "]" && top.kind === "arr")) {
      i++;
      stack.pop();
      continue;
    }
    fail("JSON_INVALID", "expected ',' or a closing bracket");
  }
}

/** Two 32-bit FNV-1a hashes of the UTF-16 code units, combined into one safe integer. */
function hashKey(s: string): number {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let k = 0; k < s.length; k++) {
    const c = s.charCodeAt(k);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return (a >>> 0) * 0x200000 + ((b >>> 0) & 0x1fffff);
}

function escapePointer(s: string): string {
  return s.replace(/~/g, "~0").replace(/\//g, "~1");
}
