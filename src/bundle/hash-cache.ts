import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import path from "node:path";

/** File name of the cache inside its folder; the version is in the name so a format change starts fresh. */
export const HASH_CACHE_FILE = "hashes-v1.json";

/**
 * A file's identity as git's index records it: if all of these are unchanged, the content is
 * taken to be unchanged. ctime catches `touch -m` resets and in-place rewrites that restore
 * mtime; inode catches a file replaced by rename. All as decimal strings (nanoseconds, BigInt).
 *
 * ctime also moves when anyone adds or removes a hard link to the file, staging included:
 * `stageBundle` therefore looks a source up before linking it and, when only the link moved
 * ctime, records the stamp after linking (`restamp`), so the next build (into any folder) and
 * `publish`'s verification still match it.
 */
export interface FileStamp {
  dev: string;
  ino: string;
  size: string;
  mtimeNs: string;
  ctimeNs: string;
}

interface CacheEntry extends FileStamp {
  sha256: string;
  /** Wall-clock time (ns) when hashing of this file began; see `isRacy`. */
  hashedAtNs: string;
}

/**
 * Files whose mtime is within this window of the moment we began hashing them are "racily
 * clean" (git's term): a write in the same timestamp tick would leave the stamp unchanged.
 * Such entries are re-hashed on the next run, after which they are trusted. Two seconds covers
 * the coarsest common timestamp granularity (FAT, some network filesystems). Only mtime counts
 * here: every content write moves mtime, while ctime also moves when staging hard-links the
 * file, which would make every fresh entry racy.
 */
export const DEFAULT_RACY_WINDOW_NS = 2_000_000_000n;

/**
 * Entries kept: far more files than any set of checkpoints one maintainer rebuilds, small enough
 * (~25 MB of JSON) to load in a blink. The oldest-hashed entries go first.
 */
export const MAX_CACHE_ENTRIES = 100_000;

export interface HashCache {
  /** The cached digest when the file's stamp matches and the entry is not racy; otherwise undefined. */
  lookup(absPath: string, stamp: FileStamp): string | undefined;
  record(absPath: string, stamp: FileStamp, sha256: string, hashedAtNs: bigint): void;
  /**
   * Moves an entry whose stamp is `from` to the stamp `to`, keeping its digest and hashing time;
   * for a ctime that moved because this process linked the file. False (nothing changed) when
   * the entry is not at `from` or `to` differs from it in anything but a later ctime.
   */
  restamp(absPath: string, from: FileStamp, to: FileStamp): boolean;
  /** Writes the cache atomically (temp file + rename). */
  save(): Promise<void>;
  readonly hits: number;
}

/** Reads a file's stamp with nanosecond times. */
export async function readFileStamp(absPath: string): Promise<FileStamp> {
  const s = await stat(absPath, { bigint: true });
  return {
    dev: s.dev.toString(),
    ino: s.ino.toString(),
    size: s.size.toString(),
    mtimeNs: s.mtimeNs.toString(),
    ctimeNs: s.ctimeNs.toString(),
  };
}

/** Same file, same size, same mtime: the stamp without ctime. */
export const sameFileAndMtime = (a: FileStamp, b: FileStamp) =>
  a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeNs === b.mtimeNs;

const sameStamp = (a: FileStamp, b: FileStamp) => sameFileAndMtime(a, b) && a.ctimeNs === b.ctimeNs;

/**
 * Opens (or starts) the hash cache in `dir`. A missing or unreadable cache is an empty cache:
 * the cache only ever saves time, it never decides a digest on its own.
 */
export async function readHashCache(params: { dir: string; racyWindowNs?: bigint }): Promise<HashCache> {
  const file = path.join(params.dir, HASH_CACHE_FILE);
  const racyWindow = params.racyWindowNs ?? DEFAULT_RACY_WINDOW_NS;
  const entries: Record<string, CacheEntry> = Object.create(null) as Record<string, CacheEntry>;
  try {
    const doc = JSON.parse(await readFile(file, "utf8")) as { entries?: Record<string, CacheEntry> };
    if (doc && typeof doc.entries === "object" && doc.entries !== null) {
      // A damaged or hand-edited cache must never crash a build: keep only well-formed entries.
      const dec = (v: unknown) => typeof v === "string" && /^\d{1,30}$/.test(v);
      for (const [k, e] of Object.entries(doc.entries)) {
        if (
          e &&
          dec(e.dev) &&
          dec(e.ino) &&
          dec(e.size) &&
          dec(e.mtimeNs) &&
          dec(e.ctimeNs) &&
          dec(e.hashedAtNs) &&
          typeof e.sha256 === "string" &&
          /^[0-9a-f]{64}$/.test(e.sha256)
        )
          entries[k] = e;
      }
    }
  } catch {
    // Missing or unreadable: start empty.
  }
  let hits = 0;
  let dirty = false;
  return {
    lookup(absPath, stamp) {
      const e = entries[absPath];
      if (!e || !sameStamp(e, stamp)) return undefined;
      const hashedAt = BigInt(e.hashedAtNs);
      if (BigInt(stamp.mtimeNs) + racyWindow > hashedAt) return undefined;
      hits++;
      return e.sha256;
    },
    record(absPath, stamp, sha256, hashedAtNs) {
      entries[absPath] = { ...stamp, sha256, hashedAtNs: hashedAtNs.toString() };
      dirty = true;
    },
    restamp(absPath, from, to) {
      const e = entries[absPath];
      if (!e || !sameStamp(e, from) || !sameFileAndMtime(from, to) || BigInt(to.ctimeNs) < BigInt(from.ctimeNs))
        return false;
      if (to.ctimeNs === from.ctimeNs) return true;
      entries[absPath] = { ...e, ...to };
      dirty = true;
      return true;
    },
    async save() {
      if (!dirty) return;
      await mkdir(params.dir, { recursive: true });
      const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
      let kept = Object.entries(entries);
      if (kept.length > MAX_CACHE_ENTRIES) {
        kept = kept
          .sort(([, a], [, b]) => (BigInt(b.hashedAtNs) > BigInt(a.hashedAtNs) ? 1 : -1))
          .slice(0, MAX_CACHE_ENTRIES);
      }
      const sorted = Object.fromEntries(kept.sort(([a], [b]) => (a < b ? -1 : 1)));
      await writeFile(tmp, `${JSON.stringify({ version: 1, entries: sorted })}\n`);
      await rename(tmp, file);
      dirty = false;
    },
    get hits() {
      return hits;
    },
  };
}
