import { open } from "node:fs/promises";

/**
 * Bytes per read. Large reads are what make hashing and sending cheap (the library's own file
 * blob streams 64 KiB chunks: a 2 GiB shard became 32,768 reads, stream conversions and
 * progress events).
 */
export const FILE_BLOB_READ_BYTES = 1024 * 1024;

/**
 * Buffers each stream cycles through. A fresh multi-MiB buffer per chunk costs a page fault per
 * 4 KiB (three times the CPU of the send itself, measured); recycled ones cost nothing. A chunk
 * stays valid until the consumer has read this many more: both consumers here are done with a
 * chunk long before that (the library's hash updates synchronously; fetch writes a chunk to the
 * socket and waits for it to drain before reading the next), and if one ever were not, the
 * sha256 the server checks after every upload would refuse the object, never publish it.
 */
export const FILE_BLOB_RING = 4;

/**
 * A lazy `Blob` over a byte range of a file, read with large positional reads. `@huggingface/hub`
 * takes any `Blob` as commit content: it hashes `stream()`, samples `slice(0, 512)` for the
 * preupload call, and sends `slice()`s of it as multipart bodies, which `fetch` streams; so
 * neither the hash nor the upload ever holds more than `FILE_BLOB_RING` chunks of a file.
 */
export class FileSliceBlob extends Blob {
  readonly path: string;
  readonly start: number;
  readonly end: number;
  /** Called with the bytes read so far by each `stream()` (restarts at 0 when a retry re-reads). */
  readonly onRead: ((bytes: number) => void) | undefined;

  constructor(params: { path: string; start: number; end: number; onRead?: (bytes: number) => void }) {
    super([]);
    this.path = params.path;
    this.start = params.start;
    this.end = params.end;
    this.onRead = params.onRead;
  }

  // @ts-expect-error Node's typings declare Blob's size and type as fields; at runtime they are prototype getters.
  override get size(): number {
    return this.end - this.start;
  }

  // @ts-expect-error as for size.
  override get type(): string {
    return "";
  }

  /** Same semantics as `Blob.slice` (negative offsets count from the end); the content type is ignored. */
  override slice(start = 0, end = this.size): FileSliceBlob {
    const clamp = (n: number) => Math.max(0, Math.min(this.size, n < 0 ? this.size + n : n));
    const s = clamp(start);
    const e = Math.max(s, clamp(end));
    return new FileSliceBlob({ path: this.path, start: this.start + s, end: this.start + e });
  }

  /** The same range, reporting the bytes each stream has read: upload progress without counting in `fetch`. */
  withReadProgress(onRead: (bytes: number) => void): FileSliceBlob {
    return new FileSliceBlob({ path: this.path, start: this.start, end: this.end, onRead });
  }

  override async arrayBuffer(): Promise<ArrayBuffer> {
    const out = new Uint8Array(this.size);
    const fh = await open(this.path, "r");
    try {
      let pos = 0;
      while (pos < out.length) {
        const { bytesRead } = await fh.read(out, pos, out.length - pos, this.start + pos);
        if (bytesRead === 0) throw shrunk(this.path);
        pos += bytesRead;
      }
    } finally {
      await fh.close();
    }
    return out.buffer;
  }

  override async text(): Promise<string> {
    return new TextDecoder().decode(await this.arrayBuffer());
  }

  override stream(): ReadableStream<Uint8Array> {
    const { path, end, onRead } = this;
    const first = this.start;
    let pos = first;
    const ring: Buffer[] = [];
    let chunks = 0;
    let fh: Awaited<ReturnType<typeof open>> | undefined;
    const close = async () => {
      const h = fh;
      fh = undefined;
      await h?.close();
    };
    return new ReadableStream<Uint8Array>(
      {
        async pull(controller) {
          try {
            fh ??= await open(path, "r");
            const n = Math.min(FILE_BLOB_READ_BYTES, end - pos);
            if (n > 0) {
              const slot = chunks++ % FILE_BLOB_RING;
              ring[slot] ??= Buffer.allocUnsafeSlow(Math.min(FILE_BLOB_READ_BYTES, end - first));
              const buf = ring[slot];
              const { bytesRead } = await fh.read(buf, 0, n, pos);
              if (bytesRead === 0) throw shrunk(path);
              pos += bytesRead;
              controller.enqueue(buf.subarray(0, bytesRead));
              onRead?.(pos - first);
            }
            if (pos >= end) {
              await close();
              controller.close();
            }
          } catch (err) {
            await close().catch(() => undefined);
            controller.error(err);
          }
        },
        cancel: close,
      },
      // One chunk read ahead: the next read overlaps the consumer's work on this one.
      { highWaterMark: 1 },
    );
  }
}

function shrunk(path: string): Error {
  return Object.assign(new Error(`${path} is shorter than when the bundle was read: it changed during publish`), {
    code: "ESHRUNK",
  });
}

/** A lazy blob over a whole file of known size (the manifest's): nothing is read until it is streamed. */
export function openFileBlob(params: { path: string; size: number }): FileSliceBlob {
  return new FileSliceBlob({ path: params.path, start: 0, end: params.size });
}
