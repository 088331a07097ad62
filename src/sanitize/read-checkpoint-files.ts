import { lstat, open, realpath } from "node:fs/promises";
import type { InventoryFile } from "../checkpoint/types.js";
import { checkpointNotFound } from "../checkpoint/inspect-checkpoint.js";
import { walkCheckpointFiles } from "../checkpoint/walk-checkpoint-files.js";
import { sniffFormat, SNIFF_BYTES } from "../checkpoint/sniff-format.js";

/**
 * Walks a checkpoint folder with `inspectCheckpoint`'s walker (`walkCheckpointFiles`, same
 * symlink and size rules) and sniffs every regular file. It never parses a header, so a malformed
 * safetensors file does not stop a scan. A symlink that is broken or resolves outside the folder
 * is listed as `binary` (size 0) so the policy blocks it, instead of throwing.
 *
 * A scan-side reader: `inspectCheckpoint` (src/checkpoint) builds the full Inventory; the scanner
 * needs only paths and sniffed formats, and takes an Inventory when the caller has one.
 */
export async function readCheckpointFiles(dir: string): Promise<InventoryFile[]> {
  const root = await realpath(dir).catch((cause: unknown) => {
    throw checkpointNotFound(dir, cause);
  });
  if (!(await lstat(root)).isDirectory()) throw checkpointNotFound(dir);
  const out: InventoryFile[] = [];
  for (const f of await walkCheckpointFiles({ root, realRoot: root, links: "list" })) {
    out.push({
      path: f.path,
      absPath: f.absPath,
      size: f.size,
      format: f.outside ? "binary" : await sniffFile(f.absPath, f.size),
    });
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
