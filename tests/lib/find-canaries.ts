import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { gunzipSync } from "node:zlib";

/**
 * Canary search for the leak proofs (tests/integration/sanitize-canary.test.ts,
 * tests/e2e/adversarial-canaries.test.ts): a canary counts as leaked when it is in the bytes, or in
 * any form a reader could decode them to — UTF-8, UTF-16, NFKC-folded with format characters
 * removed, base64, hex or percent-decoded runs, a gzip stream — or in a file or folder name.
 */

/** Every text a reader could get out of `bytes`, each with the name of the decoding. */
export function decodedForms(bytes: Uint8Array, depth = 0): { form: string; text: string }[] {
  const buf = Buffer.from(bytes);
  const utf8 = buf.toString("utf8");
  const forms = [
    { form: "bytes", text: buf.toString("latin1") },
    { form: "utf8", text: utf8 },
    { form: "folded", text: fold(utf8) },
  ];
  const nulRatio = buf.subarray(0, 4096).filter((b) => b === 0).length / Math.max(1, Math.min(buf.length, 4096));
  if (buf.length >= 2 && ((buf[0] === 0xff && buf[1] === 0xfe) || nulRatio > 0.2)) {
    forms.push({ form: "utf16le", text: buf.toString("utf16le") });
    forms.push({
      form: "utf16be",
      text: Buffer.from(buf.subarray(0, buf.length & ~1))
        .swap16()
        .toString("utf16le"),
    });
  }
  const decoded: string[] = [];
  for (const m of utf8.matchAll(/[A-Za-z0-9+/_-]{16,}={0,2}/g)) {
    for (const part of [m[0], ...m[0].split("/")]) {
      if (part.length < 16) continue;
      decoded.push(Buffer.from(part.replace(/-/g, "+").replace(/_/g, "/"), "base64").toString("utf8"));
    }
  }
  for (const m of utf8.matchAll(/(?:[0-9A-Fa-f]{2}){8,}/g)) decoded.push(Buffer.from(m[0], "hex").toString("utf8"));
  if (utf8.includes("%"))
    decoded.push(utf8.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16))));
  forms.push({ form: "decoded runs", text: decoded.join("\n") });
  if (depth < 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      for (const f of decodedForms(gunzipSync(buf), depth + 1)) forms.push({ form: `gzip ${f.form}`, text: f.text });
    } catch {
      // Not a complete gzip stream: its bytes were searched above.
    }
  }
  return forms;
}

/** NFKC with format and control characters removed: full-width and zero-width tricks undone. */
export function fold(text: string): string {
  return text.normalize("NFKC").replace(/[\p{Cf}\p{Cc}]/gu, "");
}

/** Which canaries `text` holds, in any decoded form: `["<canary> (<form>)", …]`. */
export function canariesInText(text: string, canaries: readonly string[]): string[] {
  return canariesIn(Buffer.from(text, "utf8"), canaries);
}

/** Which canaries `bytes` hold, in any decoded form. */
export function canariesIn(bytes: Uint8Array, canaries: readonly string[]): string[] {
  const hits: string[] = [];
  const forms = decodedForms(bytes);
  for (const c of canaries) {
    const folded = fold(c);
    const form = forms.find((f) => f.text.includes(c) || f.text.includes(folded));
    if (form) hits.push(`${c} (${form.form})`);
  }
  return hits;
}

/**
 * Every canary hit in a folder: in any file's bytes or decoded forms, and in any file or folder
 * name. `skip` names folders that are not published (the bundle's private `.model-release/`).
 */
export async function canariesInTree(
  dir: string,
  canaries: readonly string[],
  skip: readonly string[] = [".model-release"],
): Promise<string[]> {
  const hits: string[] = [];
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  for (const e of entries) {
    const rel = path.relative(dir, path.join(e.parentPath, e.name));
    if (skip.some((s) => rel === s || rel.startsWith(`${s}${path.sep}`))) continue;
    for (const h of canariesInText(rel, canaries)) hits.push(`${h} in the name ${JSON.stringify(rel)}`);
    if (e.isFile())
      for (const h of canariesIn(await readFile(path.join(e.parentPath, e.name)), canaries))
        hits.push(`${h} in ${JSON.stringify(rel)}`);
  }
  return hits;
}
