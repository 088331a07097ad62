import { constants, createReadStream, createWriteStream } from "node:fs";
import { copyFile, open, writeFile } from "node:fs/promises";
import { pipeline } from "node:stream/promises";
import type { SanitizePlan } from "./types.js";

/**
 * Writes one planned rewrite to `target`. Plain rewrites write their content. Safetensors
 * header rewrites keep the tensor data: when the header was padded in place, the source is
 * cloned (copy-on-write where the file system supports it, a copy otherwise) and the header is
 * patched at byte 0; otherwise the new header and the data are streamed into a new file.
 * Returns whether the tensor bytes had to be written (so the report can say the shard was copied).
 */
export async function applySanitizeRewrite(
  rewrite: SanitizePlan["rewrites"][number],
  target: string,
): Promise<{ dataCopied: boolean }> {
  if (!rewrite.tail) {
    await writeFile(target, typeof rewrite.content === "string" ? rewrite.content : Buffer.from(rewrite.content));
    return { dataCopied: false };
  }
  const { absPath, offset, length, inPlace } = rewrite.tail;
  const header = Buffer.from(rewrite.content as Uint8Array);
  if (inPlace && header.length === offset) {
    let cloned = true;
    try {
      await copyFile(absPath, target, constants.COPYFILE_FICLONE_FORCE);
    } catch {
      cloned = false;
      await copyFile(absPath, target);
    }
    const fh = await open(target, "r+");
    try {
      await fh.write(header, 0, header.length, 0);
    } finally {
      await fh.close();
    }
    return { dataCopied: !cloned };
  }
  await writeFile(target, header);
  if (length > 0)
    await pipeline(
      createReadStream(absPath, { start: offset, end: offset + length - 1 }),
      createWriteStream(target, { flags: "a" }),
    );
  return { dataCopied: true };
}
