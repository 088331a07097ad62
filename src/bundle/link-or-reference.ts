import { link, lstat, readlink, rm, stat, symlink } from "node:fs/promises";

/** How a file got into the bundle folder. */
export type SourceMode = "link" | "reference" | "written";

/**
 * Hard link when the filesystem allows it (same device, links supported); otherwise a symlink
 * to the absolute source, recorded as a reference in sources.json, so `sha256sum -c` and the
 * publishers still read the file through the bundle folder. Never a copy. A link a previous
 * build left to the same file is kept: relinking would move the source's ctime and defeat the
 * hash cache.
 */
export async function linkOrReference(src: string, dest: string): Promise<SourceMode> {
  const [srcStat, destStat] = await Promise.all([stat(src), lstat(dest).catch(() => undefined)]);
  if (destStat) {
    if (destStat.isFile() && destStat.dev === srcStat.dev && destStat.ino === srcStat.ino) return "link";
    if (destStat.isSymbolicLink() && (await readlink(dest)) === src) return "reference";
    await rm(dest, { recursive: true, force: true });
  }
  try {
    await link(src, dest);
    return "link";
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (
      code !== "EXDEV" &&
      code !== "EPERM" &&
      code !== "EMLINK" &&
      code !== "ENOTSUP" &&
      code !== "EOPNOTSUPP" &&
      code !== "EACCES"
    )
      throw e;
  }
  await symlink(src, dest);
  return "reference";
}
