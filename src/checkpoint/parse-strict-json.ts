/**
 * A strict JSON parser for untrusted headers. `JSON.parse` silently keeps the last of two
 * duplicate keys, which lets a crafted safetensors header show one tensor to a validator and
 * another to a loader; this parser rejects duplicates and reports the byte offset of every error.
 */

export interface StrictJsonError {
  message: string;
  /** Offset in UTF-16 code units from the start of the text. */
  index: number;
}

/** Nesting bound: a header is a two-level object; deep nesting is an attack, not a checkpoint. */
const MAX_DEPTH = 64;

export class StrictJsonSyntaxError extends Error {
  readonly index: number;
  constructor(message: string, index: number) {
    super(message);
    this.index = index;
  }
}

/**
 * Parses `text` as JSON (RFC 8259), rejecting duplicate object keys and nesting deeper than 64.
 * Objects are returned with a null prototype so a `__proto__` key is an ordinary key.
 *
 * @throws StrictJsonSyntaxError with the index of the offending character.
 */
export function parseStrictJson(text: string): unknown {
  let i = 0;
  const fail = (message: string, at = i): never => {
    throw new StrictJsonSyntaxError(message, at);
  };
  const skipWs = () => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else break;
    }
  };
  const parseString = (): string => {
    const start = i;
    i++; // opening quote
    let out = "";
    let chunkStart = i;
    for (;;) {
      if (i >= text.length) fail("unterminated string", start);
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        out += text.slice(chunkStart, i);
        i++;
        return out;
      }
      if (c < 0x20) fail("control character in string");
      if (c === 0x5c) {
        out += text.slice(chunkStart, i);
        const e = text[i + 1];
        switch (e) {
          case '"':
            out += '"';
            break;
          case "\\":
            out += "\\";
            break;
          case "/":
            out += "/";
            break;
          case "b":
            out += "\b";
            break;
          case "f":
            out += "\f";
            break;
          case "n":
            out += "\n";
            break;
          case "r":
            out += "\r";
            break;
          case "t":
            out += "\t";
            break;
          case "u": {
            const hex = text.slice(i + 2, i + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail("bad \\u escape");
            out += String.fromCharCode(parseInt(hex, 16));
            i += 4;
            break;
          }
          default:
            fail("bad escape");
        }
        i += 2;
        chunkStart = i;
        continue;
      }
      i++;
    }
  };
  const parseNumber = (): number => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) return fail("unexpected character");
    i += m[0].length;
    return Number(m[0]);
  };
  const parseValue = (depth: number): unknown => {
    if (depth > MAX_DEPTH) fail(`nesting deeper than ${MAX_DEPTH}`);
    skipWs();
    const c = text[i];
    if (c === "{") {
      i++;
      const obj: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      const seen = new Set<string>();
      skipWs();
      if (text[i] === "}") {
        i++;
        return obj;
      }
      for (;;) {
        skipWs();
        if (text[i] !== '"') fail("expected a string key");
        const keyAt = i;
        const key = parseString();
        if (seen.has(key)) fail(`duplicate key ${JSON.stringify(key)}`, keyAt);
        seen.add(key);
        skipWs();
        if (text[i] !== ":") fail("expected ':'");
        i++;
        obj[key] = parseValue(depth + 1);
        skipWs();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "}") {
          i++;
          return obj;
        }
        fail("expected ',' or '}'");
      }
    }
    if (c === "[") {
      i++;
      const arr: unknown[] = [];
      skipWs();
      if (text[i] === "]") {
        i++;
        return arr;
      }
      for (;;) {
        arr.push(parseValue(depth + 1));
        skipWs();
        if (text[i] === ",") {
          i++;
          continue;
        }
        if (text[i] === "]") {
          i++;
          return arr;
        }
        fail("expected ',' or ']'");
      }
    }
    if (c === '"') return parseString();
    if (text.startsWith("true", i)) {
      i += 4;
      return true;
    }
    if (text.startsWith("false", i)) {
      i += 5;
      return false;
    }
    if (text.startsWith("null", i)) {
      i += 4;
      return null;
    }
    if (i >= text.length) fail("unexpected end of JSON");
    return parseNumber();
  };
  const value = parseValue(0);
  skipWs();
  if (i < text.length) fail("unexpected data after JSON value");
  return value;
}
