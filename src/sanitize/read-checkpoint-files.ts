import { lstat, open, readdir, realpath } from "node:fs/promises";
import path from "node:path";
import type { InventoryFile } from "../checkpoint/types.js";
import { inputError } from "../errors.js";
import { sniffFormat, SNIFF_BYTES } from "../checkpoint/sniff-format.js";

/** Files listed per checkpoint before giving up (a mis-pointed `--checkpoint /`). */
const MAX_FILES = 200_000;

/**
 * Walks a checkpoint folder and sniffs every regular file. Symlinks are followed only when they
 * resolve inside the folder; others are listed as `binary` so the policy blocks them.
 *
 * A scan-side reader: `inspectCheckpoint` (src/checkpoint) builds the full Inventory; the scanner
 * needs only paths and sniffed formats, and takes an Inventory when the caller has one.
 */
export async function readCheckpointFiles(dir: string): Promise<InventoryFile[]> {
  const root = await realpath(dir).catch((cause: unknown) => {
    throw inputError("CHECKPOINT_NOT_FOUND", `Checkpoint folder not found: ${dir}`, { cause, location: { file: dir }, hint: "Pass an existing folder." });
  });
  const st = await lstat(root);
  if (!st.isDirectory()) throw inputError("CHECKPOINT_NOT_DIR", `Not a folder: ${dir}`, { location: { file: dir }, hint: "Pass the checkpoint folder, not a file." });
  const out: InventoryFile[] = [];
  const queue = [""];
  while (queue.length > 0) {
    const rel = queue.shift()!;
    const entries = await readdir(path.join(root, rel), { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const relPath = rel ? `${rel}/${e.name}` : e.name;
      const abs = path.join(root, relPath);
      let target = abs;
      if (e.isSymbolicLink()) {
        const real = await realpath(abs).catch(() => undefined);
        if (!real || !(real === root || real.startsWith(root + path.sep))) {
          out.push({ path: relPath, absPath: abs, size: 0, format: "binary" });
          continue;
        }
        target = real;
      }
      const s = await lstat(target);
      if (s.isDirectory()) {
        if (!e.isSymbolicLink()) queue.push(relPath);
        continue;
      }
      if (!s.isFile()) continue;
      out.push({ path: relPath, absPath: target, size: s.size, format: await sniffFile(target, s.size) });
      if (out.length > MAX_FILES) throw inputError("CHECKPOINT_TOO_MANY_FILES", `More than ${MAX_FILES} files under ${dir}`, { hint: "Point at the checkpoint folder itself." });
    }
  }
  return out;
}

/** Sniffs a file as the scanner does (`text: "shape"`) from its first bytes and, for a zip, its last 64 KiB. */
export async function sniffFile(absPath: string, size: number): Promise<InventoryFile["format"]> {
  const fh = await open(absPath, "r");
  try {
    const head = Buffer.alloc(Math.min(size, SNIFF_BYTES));
    await fh.read(head, 0, head.length, 0);
    let tail: Buffer | undefined;
    if (head[0] === 0x50 && size > head.length) {
      tail = Buffer.alloc(Math.min(size, 65536));
      await fh.read(tail, 0, tail.length, size - tail.length);
    }
    return sniffFormat({ head, size, tail, text: "shape" });
  } finally {
    await fh.close();
  }
}
