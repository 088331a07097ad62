import { firstInvalidUtf8 } from "./read-dataset-source.js";

export type DecodedProgram =
  | { ok: true; text: string }
  | { ok: false; code: "BINARY_CONTENT" | "INVALID_ENCODING"; line: number; offset?: number; message: string };

/**
 * Decodes a program as strict UTF-8 (a leading BOM is dropped). Binary content (NUL or other C0
 * control characters than tab, LF, CR, FF) and bytes that are not UTF-8 (for example EUC-KR
 * comments from an old controller) are refused with their line and byte offset, never guessed:
 * a mis-decoded comment could hide a name from every rule. Pure.
 */
export function decodeProgram(content: Uint8Array | string): DecodedProgram {
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
    try {
      text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(content);
    } catch {
      const at = firstInvalidUtf8(content);
      return {
        ok: false,
        code: "INVALID_ENCODING",
        line: lineAt(content, at),
        offset: at,
        message: `byte 0x${content[at]?.toString(16).padStart(2, "0")} at offset ${at} is not UTF-8 (re-encode the file as UTF-8)`,
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

function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < bytes.length; i++) if (bytes[i] === 0x0a) line++;
  return line;
}
