import { createHash, type Hash } from "node:crypto";

/** How one part's bytes reach the hasher while they arrive (see `PartHasher.begin`). */
export interface PartIntake {
  /** True when this part is hashed from the request itself, chunk by chunk. */
  readonly live: boolean;
  /** Feeds the next chunk of the part, in order (ignored unless `live`). */
  update(chunk: Uint8Array): void;
  /** The part is on disk in full (`true`) or its upload failed (`false`). */
  end(ok: boolean): void;
}

/**
 * The running sha256 of a multipart upload, so that completion needs no second read of the whole
 * object. Parts arrive concurrently and in any order; the hash must see them in order 1..N.
 */
export interface PartHasher {
  /** Part `n` starts arriving. */
  begin(n: number): PartIntake;
  /**
   * The object's sha256 once every part is folded in; undefined when the running hash cannot
   * vouch for the bytes on disk (a part uploaded again after it was hashed, a failed read), and
   * the caller must hash the assembled file itself.
   */
  digest(): Promise<string | undefined>;
}

/**
 * A running sha256 over the next expected part: when a part starts arriving as the next one the
 * hash needs, its chunks are hashed as they pass (no read back); a part that arrives ahead of its
 * turn is written and, once every part before it is in, read back by `readPart` (from the page
 * cache, written moments ago) and folded in. A live part whose upload fails rolls the hash back
 * to its start, so the client's retry is hashed like a first attempt.
 */
export function createPartHasher(params: {
  parts: number;
  /** Reads part `n` from disk, in order, into `update`. */
  readPart: (n: number, update: (chunk: Uint8Array) => void) => Promise<void>;
}): PartHasher {
  let hash: Hash = createHash("sha256");
  let next = 1;
  let live: number | undefined;
  let folding: number | undefined;
  let invalid = false;
  const done = new Set<number>();
  let busy = Promise.resolve();

  const fold = async () => {
    while (!invalid && done.has(next)) {
      folding = next;
      await params.readPart(next, (chunk) => hash.update(chunk));
      folding = undefined;
      next++;
    }
  };
  // One fold at a time, in part order; a failed read leaves the digest to the caller.
  const schedule = () => {
    busy = busy.then(fold).catch(() => {
      invalid = true;
      folding = undefined;
    });
  };

  return {
    begin(n) {
      // Bytes already in the hash (or being read into it) would change under it.
      if (n < next || n === folding || n === live) invalid = true;
      done.delete(n);
      if (invalid || n !== next || live !== undefined || folding !== undefined) {
        return {
          live: false,
          update() {},
          end(ok) {
            if (!ok) return;
            done.add(n);
            schedule();
          },
        };
      }
      live = n;
      const before = hash.copy();
      let open = true;
      return {
        live: true,
        update(chunk) {
          if (open) hash.update(chunk);
        },
        end(ok) {
          if (!open) return;
          open = false;
          live = undefined;
          if (!ok) {
            hash = before;
            return;
          }
          next = n + 1;
          schedule();
        },
      };
    },
    async digest() {
      await busy;
      return !invalid && live === undefined && next === params.parts + 1 ? hash.digest("hex") : undefined;
    },
  };
}
