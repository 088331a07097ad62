export type DecodedProgram =
  | { ok: true; text: string }
  | { ok: false; code: "BINARY_CONTENT" | "INVALID_ENCODING"; line: number; offset?: number; message: string };

export type ProgramEncoding = "auto" | "utf-8" | "euc-kr";

/**
 * Decodes a program (a leading BOM is dropped). `utf-8` and `euc-kr` are strict; `auto` reads
 * strict UTF-8 and, when that fails, strict EUC-KR (WHATWG's `euc-kr` is CP949, what older Hyundai
 * controllers write). Binary content (NUL or other C0 control characters than tab, LF, CR, FF) and
 * bytes valid in neither encoding are refused with their line and byte offset, never guessed
 * leniently: a mis-decoded comment could hide a name from every rule. Pure.
 */
export function decodeProgram(content: Uint8Array | string, encoding: ProgramEncoding = "auto"): DecodedProgram {
  let text: string;
  if (typeof content === "string") text = content;
  else {
    const nul = content.indexOf(0);
    if (nul !== -1)
      return {
        ok: false,
        code: "BINARY_CONTENT",
        line: lineAt(content, nul),
        offset: nul,
        message: `NUL byte at offset ${nul}: binary file, not a program`,
      };
    const decoded = decodeStrict(content, encoding);
    if (decoded !== undefined) text = decoded;
    else {
      const at = firstInvalidUtf8(content);
      return {
        ok: false,
        code: "INVALID_ENCODING",
        line: lineAt(content, at),
        offset: at,
        message: `byte 0x${content[at]?.toString(16).padStart(2, "0")} at offset ${at} is not ${encoding === "auto" ? "UTF-8 or EUC-KR" : encoding.toUpperCase()}`,
      };
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const ctrl = /[\u0000-\u0008\u000b\u000e-\u001f\u007f]/.exec(text);
  if (ctrl) {
    const line = text.slice(0, ctrl.index).split("\n").length;
    return {
      ok: false,
      code: "BINARY_CONTENT",
      line,
      message: `control character U+${ctrl[0].charCodeAt(0).toString(16).padStart(4, "0")} on line ${line}: binary content, not a program`,
    };
  }
  return { ok: true, text };
}

/** Strict decoding in the configured encoding; `auto` tries UTF-8, then EUC-KR. Pure. */
export function decodeStrict(bytes: Uint8Array, encoding: ProgramEncoding): string | undefined {
  for (const label of encoding === "auto" ? ["utf-8", "euc-kr"] : [encoding]) {
    try {
      return new TextDecoder(label, { fatal: true, ignoreBOM: false }).decode(bytes);
    } catch {
      // next candidate
    }
  }
  return undefined;
}

function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < bytes.length; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/** Byte index of the first byte that breaks UTF-8 (for the error location). Pure. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const n = b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (n < 0) return i;
    for (let k = 1; k <= n; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
    }
    // Overlong and surrogate forms are invalid too; TextDecoder agrees, so compare on the sequence.
    try {
      new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(i, i + n + 1));
    } catch {
      return i;
    }
    i += n + 1;
  }
  return bytes.length;
}
