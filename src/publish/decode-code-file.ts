/** What a file of the code folder is, decided from its bytes, never from its name alone. */
export type DecodedCodeFile =
  | { kind: "text"; text: string; encoding: "utf-8" | "utf-16le" | "utf-16be"; bom: boolean }
  | { kind: "compiled"; what: string }
  | { kind: "binary" };

// Magic numbers of compiled code: shared objects and executables of every platform, Java classes,
// WebAssembly. CPython bytecode is recognised by its `\r\n` after a two-byte magic and by name.
const COMPILED: [string, number[]][] = [
  ["ELF object", [0x7f, 0x45, 0x4c, 0x46]],
  ["Mach-O object", [0xcf, 0xfa, 0xed, 0xfe]],
  ["Mach-O object", [0xce, 0xfa, 0xed, 0xfe]],
  ["Mach-O universal binary", [0xca, 0xfe, 0xba, 0xbe]],
  ["Windows executable", [0x4d, 0x5a]],
  ["WebAssembly module", [0x00, 0x61, 0x73, 0x6d]],
];

/**
 * Decodes a code file: UTF-8 (with or without BOM) or UTF-16 (by BOM, or by the NUL pattern of
 * ASCII text in UTF-16), so a script saved by a Windows editor is scanned as what it says, not as
 * bytes. Compiled objects are named; anything else that is not text is binary (published byte for
 * byte, its printable strings scanned). Pure.
 */
export function decodeCodeFile(bytes: Uint8Array, path: string): DecodedCodeFile {
  if (/\.py[cod]$/i.test(path) && bytes.length >= 4 && bytes[2] === 0x0d && bytes[3] === 0x0a)
    return { kind: "compiled", what: "Python bytecode" };
  for (const [what, magic] of COMPILED)
    if (bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b)) return { kind: "compiled", what };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return utf16(bytes.subarray(2), "utf-16le", true);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return utf16(bytes.subarray(2), "utf-16be", true);
  if (bytes.length >= 4 && bytes.length % 2 === 0) {
    // ASCII in UTF-16 without a BOM: every other byte is NUL in the first few hundred bytes.
    const n = Math.min(bytes.length, 512);
    let evenNul = 0;
    let oddNul = 0;
    for (let i = 0; i < n; i++) if (bytes[i] === 0) i % 2 === 0 ? evenNul++ : oddNul++;
    if (oddNul >= n / 2 - 2 && evenNul === 0) return utf16(bytes, "utf-16le", false);
    if (evenNul >= n / 2 - 2 && oddNul === 0) return utf16(bytes, "utf-16be", false);
  }
  if (bytes.includes(0)) return { kind: "binary" };
  try {
    const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
    const text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bom ? bytes.subarray(3) : bytes);
    return { kind: "text", text, encoding: "utf-8", bom };
  } catch {
    return { kind: "binary" };
  }
}

function utf16(body: Uint8Array, encoding: "utf-16le" | "utf-16be", bom: boolean): DecodedCodeFile {
  try {
    return {
      kind: "text",
      text: new TextDecoder(encoding, { fatal: true, ignoreBOM: true }).decode(body),
      encoding,
      bom,
    };
  } catch {
    return { kind: "binary" };
  }
}

/** The bytes of `text` in the file's own encoding (with its BOM when it had one). Pure. */
export function encodeCodeText(text: string, encoding: "utf-8" | "utf-16le" | "utf-16be", bom: boolean): Uint8Array {
  if (encoding === "utf-8") {
    const body = Buffer.from(text, "utf8");
    return bom ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]) : body;
  }
  const le = Buffer.from(text, "utf16le");
  if (encoding === "utf-16be") le.swap16();
  const mark = encoding === "utf-16le" ? [0xff, 0xfe] : [0xfe, 0xff];
  return bom ? Buffer.concat([Buffer.from(mark), le]) : le;
}
