import { lstat, mkdir, readdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import { usageError } from "../errors.js";
import { MANIFEST_FILE, PRIVATE_DIR, SUMS_FILE } from "./bundle-paths.js";

/**
 * Creates the bundle folder, or accepts one that a previous build staged (recognised by its
 * private `.model-release/` folder) and returns the paths it holds, so unchanged links are kept
 * and the rest removed. Any other non-empty folder is refused: we never delete files we did not
 * write.
 */
export async function prepareBundleDir(outDir: string): Promise<Set<string>> {
  let names: string[] = [];
  try {
    const st = await stat(outDir);
    if (!st.isDirectory())
      throw usageError("OUT_DIR_NOT_EMPTY", `${outDir} exists and is not a folder`, {
        hint: "pass --out with a new or empty folder",
        location: { file: outDir },
      });
    names = await readdir(outDir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
  }
  const existing = new Set<string>();
  if (names.length > 0) {
    const ours = await lstat(path.join(outDir, PRIVATE_DIR)).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!ours) {
      throw usageError("OUT_DIR_NOT_EMPTY", `${outDir} is not empty and was not staged by model-release`, {
        hint: "pass --out with a new or empty folder (a folder from a previous build is replaced)",
        location: { file: outDir },
      });
    }
    // rm on a hard link or symlink removes the link only; the checkpoint's files are untouched.
    await Promise.all(
      [MANIFEST_FILE, SUMS_FILE, PRIVATE_DIR].map((n) => rm(path.join(outDir, n), { recursive: true, force: true })),
    );
    const visit = async (abs: string, rel: string) => {
      for (const ent of await readdir(abs, { withFileTypes: true })) {
        const p = rel ? `${rel}/${ent.name}` : ent.name;
        if (ent.isDirectory()) await visit(path.join(abs, ent.name), p);
        else existing.add(p);
      }
    };
    await visit(outDir, "");
  }
  await mkdir(outDir, { recursive: true });
  return existing;
}
