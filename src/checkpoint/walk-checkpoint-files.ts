import { lstat, readdir, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { inputError } from "../errors.js";

/** Bound on the walk: a checkpoint has hundreds of files; millions means the wrong folder. */
export const MAX_CHECKPOINT_FILES = 200_000;

export interface WalkedFile {
  /** Checkpoint-relative path with `/` separators. */
  path: string;
  /** Where to read it: the link's target for a symlink inside the checkpoint. */
  absPath: string;
  size: number;
  /** Set (with `links: "list"`) for a symlink that is broken or leaves the checkpoint; size 0. */
  outside?: true;
}

/**
 * Lists regular files under `root` (its real path `realRoot`), depth first, sorted by name in
 * each folder. Symlinks are resolved and must stay inside the checkpoint: a link to ~/.ssh or
 * /etc would otherwise be published. With `links: "throw"` (default, `inspectCheckpoint`) a
 * broken or escaping link throws; with `links: "list"` (the secret scanner, which must never
 * throw on what it finds) it is listed with `outside: true` so the policy can block it. Directory
 * cycles are cut by remembering real paths; sockets, FIFOs and devices are skipped.
 */
export async function walkCheckpointFiles(params: {
  root: string;
  realRoot: string;
  links?: "throw" | "list";
  signal?: AbortSignal;
}): Promise<WalkedFile[]> {
  const { root, realRoot, signal } = params;
  const out: WalkedFile[] = [];
  const seenDirs = new Set<string>([realRoot]);
  const inside = (p: string) => p === realRoot || p.startsWith(realRoot + path.sep);
  const push = (f: WalkedFile) => {
    out.push(f);
    if (out.length > MAX_CHECKPOINT_FILES) {
      throw inputError("CHECKPOINT_TOO_MANY_FILES", `more than ${MAX_CHECKPOINT_FILES} files under ${root}`, {
        hint: "point --checkpoint at the folder of one checkpoint, not at a whole training run",
        location: { file: root },
      });
    }
  };
  const visit = async (dirAbs: string, rel: string): Promise<void> => {
    const names = (await readdir(dirAbs)).sort();
    for (const name of names) {
      signal?.throwIfAborted();
      const abs = path.join(dirAbs, name);
      const relPath = rel ? `${rel}/${name}` : name;
      let st = await lstat(abs);
      let target = abs;
      if (st.isSymbolicLink()) {
        let real: string | undefined;
        try {
          real = await realpath(abs);
        } catch (cause) {
          if (params.links !== "list") {
            throw inputError("CHECKPOINT_BROKEN_SYMLINK", `${relPath} is a symlink to a file that does not exist`, {
              hint: "remove the dangling link or restore its target",
              location: { file: relPath },
              cause,
            });
          }
        }
        if (real === undefined || !inside(real)) {
          if (params.links === "list") {
            push({ path: relPath, absPath: abs, size: 0, outside: true });
            continue;
          }
          throw inputError("CHECKPOINT_SYMLINK_ESCAPES", `${relPath} is a symlink that leaves the checkpoint folder`, {
            hint: "copy the file into the checkpoint folder instead of linking to it, or remove the link",
            location: { file: relPath },
          });
        }
        target = real;
        st = await stat(real);
      }
      if (st.isDirectory()) {
        const real = await realpath(target);
        if (seenDirs.has(real)) continue;
        seenDirs.add(real);
        await visit(target, relPath);
      } else if (st.isFile()) {
        push({
          path: relPath,
          absPath: target === abs ? path.join(root, ...relPath.split("/")) : target,
          size: st.size,
        });
      }
    }
  };
  await visit(realRoot, "");
  return out;
}
