import { inputError } from "../errors.js";

/**
 * A bounded reader of SentencePiece's `ModelProto` (sentencepiece_model.proto): enough to prove a
 * `tokenizer.model` is one, and to list every string it would publish. Top-level fields:
 * 1 `pieces` (repeated message: 1 piece, 2 score, 3 type), 2 `trainer_spec`, 3 `normalizer_spec`,
 * 4 `self_test_data`, 5 `denormalizer_spec`; 200 and up are extensions.
 */
export interface SentencePieceModel {
  pieces: string[];
  /** UTF-8 strings of the other messages (trainer_spec holds input paths and the model prefix). */
  strings: string[];
}

/** Real vocabularies stay under 300k pieces; a million is a hostile file, not a tokenizer. */
const MAX_PIECES = 1_000_000;
/** Nested messages are walked this deep (trainer and normalizer specs are flat). */
const MAX_NESTING = 4;

const utf8 = new TextDecoder("utf-8", { fatal: true });

interface Field {
  no: number;
  wire: number;
  /** Length-delimited payload (wire type 2). */
  bytes?: Uint8Array;
}

/**
 * Parses `bytes` as a `ModelProto`; throws `SENTENCEPIECE_INVALID` (input) with the byte offset
 * when it is not one: malformed varints or lengths, unknown top-level fields, a piece that is not
 * UTF-8, no pieces at all. Pure; time linear in the input.
 */
export function parseSentencePieceModel(bytes: Uint8Array, file: string): SentencePieceModel {
  const pieces: string[] = [];
  const strings: string[] = [];
  const fail = (what: string, offset: number): never => {
    throw inputError("SENTENCEPIECE_INVALID", `${file}: not a SentencePiece model: ${what} at byte ${offset}`, {
      location: { file, offset },
      hint: "tokenizer.model must be the SentencePiece ModelProto written by spm_train / save_pretrained.",
    });
  };
  for (const [f, at] of fields(bytes, 0, fail)) {
    if (f.no === 1 && f.wire === 2) {
      if (pieces.length >= MAX_PIECES) fail(`more than ${MAX_PIECES} pieces`, at);
      let piece: string | undefined;
      for (const [p, pat] of fields(f.bytes!, at, fail)) {
        if (p.no === 1 && p.wire === 2) piece = decode(p.bytes!, pat, fail);
        else if (!((p.no === 2 && p.wire === 5) || (p.no === 3 && p.wire === 0)))
          fail(`unknown piece field ${p.no}`, pat);
      }
      if (piece === undefined) fail("a piece without text", at);
      pieces.push(piece!);
    } else if (f.no >= 2 && f.no <= 5 && f.wire === 2) collectStrings(f.bytes!, at, 1, strings, fail);
    else if (f.no < 200) fail(`unknown field ${f.no} (wire type ${f.wire})`, at);
  }
  if (pieces.length === 0) fail("no pieces", 0);
  return { pieces, strings };
}

/** Strings of a nested message: its UTF-8 payloads, and those of the messages inside it. */
function collectStrings(
  bytes: Uint8Array,
  base: number,
  depth: number,
  out: string[],
  fail: (what: string, offset: number) => never,
): void {
  for (const [f, at] of fields(bytes, base, fail)) {
    if (f.wire !== 2) continue;
    try {
      out.push(utf8.decode(f.bytes!));
    } catch {
      // Not text: a nested message (walked) or binary data (the normalizer's charsmap).
      if (depth < MAX_NESTING) {
        try {
          collectStrings(f.bytes!, at, depth + 1, out, fail);
        } catch {
          // binary payload that is not a message either: nothing to publish as text
        }
      }
    }
  }
}

function decode(b: Uint8Array, at: number, fail: (what: string, offset: number) => never): string {
  try {
    return utf8.decode(b);
  } catch {
    return fail("a piece that is not UTF-8", at);
  }
}

/** Yields the fields of one message with their byte offsets; throws on malformed encodings. */
function* fields(
  b: Uint8Array,
  base: number,
  fail: (what: string, offset: number) => never,
): Generator<[Field, number]> {
  let pos = 0;
  const varint = (): number => {
    let v = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= b.length) fail("truncated varint", base + pos);
      const c = b[pos++]!;
      v += (c & 0x7f) * mul;
      if ((c & 0x80) === 0) return v;
      mul *= 128;
    }
    return fail("varint longer than 10 bytes", base + pos);
  };
  while (pos < b.length) {
    const at = base + pos;
    const tag = varint();
    const no = Math.floor(tag / 8);
    const wire = tag % 8;
    if (no === 0) fail("field number 0", at);
    if (wire === 0) varint();
    else if (wire === 1 || wire === 5) {
      const n = wire === 1 ? 8 : 4;
      if (pos + n > b.length) fail("truncated fixed-width field", at);
      pos += n;
    } else if (wire === 2) {
      const len = varint();
      if (len > b.length - pos) fail("length past the end", at);
      yield [{ no, wire, bytes: b.subarray(pos, pos + len) }, at];
      pos += len;
      continue;
    } else fail(`wire type ${wire}`, at);
    yield [{ no, wire }, at];
  }
}
