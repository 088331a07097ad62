import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { Transform, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { type FileHandle, mkdir, open, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { createPartHasher, type PartHasher } from "./create-part-hasher.js";
import { HttpError, readJsonBody, sendJson } from "./hub-http.js";
import { ObjectMismatchError, type HubStore } from "./hub-store.js";
import { fsyncFile } from "./write-file-atomic.js";

/**
 * The git-LFS side of the local Hub: the batch API and the transfer URLs it hands out.
 *
 * The JS and Python clients send no Authorization header to upload, part and completion URLs
 * (hub-protocol.md §2.6), so those URLs authorize themselves with an HMAC over method, path and
 * expiry, keyed by a per-data-dir secret. Xet is never offered: answering `basic`/`multipart`
 * makes `@huggingface/hub` fall back to LFS.
 */

export interface LfsConfig {
  store: HubStore;
  secret: Buffer;
  baseUrl: () => string;
  maxFileBytes: number;
  /** Objects larger than this use multipart transfer. */
  multipartThresholdBytes: number;
  multipartChunkBytes: number;
  /** Lifetime of signed URLs (the Hub's S3 URLs live 900 s). */
  signedUrlSeconds: number;
  now: () => number;
  /** Running hashes of open multipart uploads (in memory: a restart falls back to hashing at completion). */
  hashers: Map<string, PartHasher>;
}

/** Most objects per batch request (the clients send 100 or 256). */
const MAX_BATCH_OBJECTS = 1000;
/** Bound on the multipart part count, so a hostile size cannot make the header map huge. */
const MAX_PARTS = 10_000;
const SHA256_RE = /^[0-9a-f]{64}$/;

function sign(cfg: LfsConfig, method: string, pathname: string, exp: number): string {
  return createHmac("sha256", cfg.secret).update(`${method}\n${pathname}\n${exp}`).digest("hex");
}

export function signedUrl(cfg: LfsConfig, method: string, pathname: string): string {
  const exp = Math.floor(cfg.now() / 1000) + cfg.signedUrlSeconds;
  return `${cfg.baseUrl()}${pathname}?exp=${exp}&sig=${sign(cfg, method, pathname, exp)}`;
}

/** 403 unless the URL carries a valid, unexpired signature for this method and path. */
export function assertSigned(cfg: LfsConfig, method: string, url: URL): void {
  const exp = Number(url.searchParams.get("exp"));
  const sig = url.searchParams.get("sig") ?? "";
  const want = Buffer.from(sign(cfg, method, url.pathname, exp));
  const got = Buffer.from(sig);
  if (!Number.isInteger(exp) || got.length !== want.length || !timingSafeEqual(got, want)) {
    throw new HttpError(403, "Invalid signature on transfer URL");
  }
  if (exp * 1000 < cfg.now())
    throw new HttpError(403, "Transfer URL expired; request a new one from the LFS batch API");
}

interface MultipartMeta {
  oid: string;
  size: number;
  chunkSize: number;
  parts: number;
}

const uploadDir = (cfg: LfsConfig, id: string) => {
  if (!/^[0-9a-f]{32}$/.test(id)) throw new HttpError(404, "Unknown multipart upload");
  return join(cfg.store.dataDir, "uploads", id);
};

/** Reads an LFS batch request body (the caller decides rights by its `operation`). */
export function readLfsBatch(req: IncomingMessage): Promise<Record<string, unknown>> {
  return readJsonBody(req, 4 * 1024 * 1024);
}

/**
 * The `download` half of the LFS batch API (what `git lfs pull` asks): a signed GET URL per
 * object the repo references (`inRepo`), a per-object 404 otherwise, so a hash alone never
 * reveals another repo's content.
 */
export async function handleLfsDownloadBatch(
  cfg: LfsConfig,
  res: ServerResponse,
  body: Record<string, unknown>,
  inRepo: (oid: string) => Promise<boolean>,
): Promise<void> {
  const objects = body.objects;
  if (!Array.isArray(objects)) throw new HttpError(400, "objects must be an array");
  if (objects.length > MAX_BATCH_OBJECTS)
    throw new HttpError(413, `At most ${MAX_BATCH_OBJECTS} objects per batch request`);
  const out: unknown[] = [];
  for (const o of objects as { oid?: unknown; size?: unknown }[]) {
    const oid = String(o?.oid ?? "");
    const size = Number(o?.size);
    if (!SHA256_RE.test(oid) || !(await inRepo(oid)) || (await cfg.store.objectSize(oid)) !== size) {
      out.push({ oid, size, error: { code: 404, message: "Object does not exist" } });
      continue;
    }
    const href = signedUrl(cfg, "GET", `/lfs/download/${oid}`);
    out.push({ oid, size, authenticated: true, actions: { download: { href, expires_in: cfg.signedUrlSeconds } } });
  }
  sendJson(
    res,
    200,
    { transfer: "basic", objects: out, hash_algo: "sha256" },
    {
      "content-type": "application/vnd.git-lfs+json",
    },
  );
}

/** The `upload` half of the LFS batch API (the caller checked write rights). */
export async function handleLfsBatch(
  cfg: LfsConfig,
  res: ServerResponse,
  body: Record<string, unknown>,
): Promise<void> {
  if (body.operation !== "upload")
    throw new HttpError(400, `Unsupported LFS operation: ${String(body.operation)}; use "upload" or "download"`);
  const algo = body.hash_algo ?? "sha256";
  if (algo !== "sha256" && algo !== "sha_256") throw new HttpError(400, `Unsupported hash_algo: ${String(algo)}`);
  const transfers = Array.isArray(body.transfers) ? (body.transfers as unknown[]) : ["basic"];
  const multipartOk = transfers.includes("multipart");
  const objects = body.objects;
  if (!Array.isArray(objects)) throw new HttpError(400, "objects must be an array");
  if (objects.length > MAX_BATCH_OBJECTS)
    throw new HttpError(413, `At most ${MAX_BATCH_OBJECTS} objects per batch request`);
  const seen = new Set<string>();
  const out: unknown[] = [];
  for (const o of objects as { oid?: unknown; size?: unknown }[]) {
    const oid = o?.oid;
    const size = o?.size;
    if (typeof oid !== "string" || typeof size !== "number")
      throw new HttpError(400, "each object needs a string oid and a number size");
    if (seen.has(oid)) continue; // two paths with the same content: one object
    seen.add(oid);
    if (!SHA256_RE.test(oid)) {
      out.push({ oid, size, error: { code: 422, message: "oid must be 64 lowercase hex digits (sha256)" } });
      continue;
    }
    if (!Number.isSafeInteger(size) || size < 0) {
      out.push({ oid, size, error: { code: 422, message: "size must be a non-negative integer" } });
      continue;
    }
    if (size > cfg.maxFileBytes) {
      out.push({
        oid,
        size,
        error: { code: 422, message: `File of ${size} bytes exceeds the limit of ${cfg.maxFileBytes} bytes per file` },
      });
      continue;
    }
    // Already stored: no actions, which is what lets a re-run skip the upload.
    if ((await cfg.store.objectSize(oid)) === size) {
      out.push({ oid, size });
      continue;
    }
    if (multipartOk && size > cfg.multipartThresholdBytes) {
      out.push({ oid, size, authenticated: true, actions: { upload: await startMultipart(cfg, oid, size) } });
    } else {
      const path = `/lfs/upload/${oid}/${size}`;
      out.push({
        oid,
        size,
        authenticated: true,
        actions: { upload: { href: signedUrl(cfg, "PUT", path), expires_in: cfg.signedUrlSeconds } },
      });
    }
  }
  sendJson(
    res,
    200,
    { transfer: multipartOk ? "multipart" : "basic", objects: out, hash_algo: "sha256" },
    { "content-type": "application/vnd.git-lfs+json" },
  );
}

async function startMultipart(cfg: LfsConfig, oid: string, size: number) {
  const chunkSize = Math.max(cfg.multipartChunkBytes, Math.ceil(size / MAX_PARTS));
  const parts = Math.ceil(size / chunkSize);
  const id = randomBytes(16).toString("hex");
  const dir = uploadDir(cfg, id);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, "data"), "");
  const meta: MultipartMeta = { oid, size, chunkSize, parts };
  await writeFile(join(dir, "meta.json"), JSON.stringify(meta));
  // Keys must come out in ascending order: the JS client pairs ETags with parts by Object.keys order.
  const header: Record<string, string> = { chunk_size: String(chunkSize) };
  for (let n = 1; n <= parts; n++)
    header[String(n).padStart(5, "0")] = signedUrl(cfg, "PUT", `/lfs/multipart/${id}/${n}`);
  return { href: signedUrl(cfg, "POST", `/lfs/multipart/${id}/complete`), header, expires_in: cfg.signedUrlSeconds };
}

/** PUT /lfs/upload/{oid}/{size}: a basic transfer, streamed to disk and verified. */
export async function handleLfsUpload(
  cfg: LfsConfig,
  req: IncomingMessage,
  res: ServerResponse,
  oid: string,
  sizeText: string,
): Promise<void> {
  const size = Number(sizeText);
  if (!SHA256_RE.test(oid) || !Number.isSafeInteger(size)) throw new HttpError(404, "Unknown upload URL");
  const declared = req.headers["content-length"];
  if (declared !== undefined && Number(declared) !== size)
    throw new HttpError(400, `Content-Length ${declared} differs from the object size ${size}`);
  try {
    await cfg.store.putObjectFromStream(req, { sha256: oid, size, maxBytes: cfg.maxFileBytes });
  } catch (err) {
    if (err instanceof ObjectMismatchError) throw new HttpError(err.status, err.message);
    throw err;
  }
  res.writeHead(200, { "content-length": "0" });
  res.end();
}

async function readMeta(dir: string): Promise<MultipartMeta> {
  try {
    return JSON.parse(await readFile(join(dir, "meta.json"), "utf8")) as MultipartMeta;
  } catch {
    throw new HttpError(404, "Unknown or completed multipart upload");
  }
}

/** Bytes per read and write of the multipart path: large enough that per-call costs vanish. */
const IO_BYTES = 1024 * 1024;

/** Reads part `n` of an upload's data file, in order, through one reused buffer (no garbage per chunk). */
async function readPart(data: string, meta: MultipartMeta, n: number, update: (chunk: Uint8Array) => void) {
  const start = (n - 1) * meta.chunkSize;
  const end = Math.min(start + meta.chunkSize, meta.size);
  const fh = await open(data, "r");
  try {
    const buf = Buffer.allocUnsafeSlow(Math.min(IO_BYTES, end - start));
    for (let pos = start; pos < end; ) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, end - pos), pos);
      if (bytesRead === 0) throw new Error(`part ${n} is shorter on disk than acknowledged`);
      update(buf.subarray(0, bytesRead));
      pos += bytesRead;
    }
  } finally {
    await fh.close();
  }
}

/**
 * A stream writing at `start` of an open file, batching buffered chunks into one `writev`. The
 * handle stays the caller's (an fs write stream over it would close or hold it).
 */
function writeAt(fh: FileHandle, start: number): Writable {
  let pos = start;
  const writeAll = async (chunks: Buffer[]) => {
    const total = chunks.reduce((n, c) => n + c.length, 0);
    let { bytesWritten } = await fh.writev(chunks, pos);
    // Short writes are rare on regular files; the rest goes out in one piece.
    if (bytesWritten < total) {
      const rest = Buffer.concat(chunks).subarray(bytesWritten);
      for (let off = 0; off < rest.length; ) {
        const r = await fh.write(rest, off, rest.length - off, pos + bytesWritten + off);
        off += r.bytesWritten;
      }
      bytesWritten = total;
    }
    pos += bytesWritten;
  };
  return new Writable({
    highWaterMark: IO_BYTES,
    write(chunk: Buffer, _enc, done) {
      writeAll([chunk]).then(() => done(), done);
    },
    writev(chunks, done) {
      writeAll(chunks.map((c) => c.chunk as Buffer)).then(() => done(), done);
    },
  });
}

/**
 * PUT /lfs/multipart/{id}/{n}: one part, written at its offset in the session's data file and
 * folded into the upload's running hash (see `createPartHasher`).
 */
export async function handleLfsPart(
  cfg: LfsConfig,
  req: IncomingMessage,
  res: ServerResponse,
  id: string,
  partText: string,
): Promise<void> {
  const dir = uploadDir(cfg, id);
  const meta = await readMeta(dir);
  const n = Number(partText);
  if (!Number.isInteger(n) || n < 1 || n > meta.parts) throw new HttpError(400, `Part number must be 1..${meta.parts}`);
  const offset = (n - 1) * meta.chunkSize;
  const expected = Math.min(meta.chunkSize, meta.size - offset);
  const data = join(dir, "data");
  let hasher = cfg.hashers.get(id);
  if (!hasher) {
    hasher = createPartHasher({ parts: meta.parts, readPart: (k, update) => readPart(data, meta, k, update) });
    cfg.hashers.set(id, hasher);
  }
  const fh = await open(data, "r+");
  const intake = hasher.begin(n);
  let written = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      written += chunk.length;
      if (written > expected) return done(new HttpError(400, `Part ${n} is longer than ${expected} bytes`));
      intake.update(chunk);
      done(null, chunk);
    },
  });
  let ok = false;
  try {
    await pipeline(req, meter, writeAt(fh, offset));
    if (written !== expected) throw new HttpError(400, `Part ${n} has ${written} bytes, expected ${expected}`);
    // As on S3, a part whose ETag was returned is durable. Syncing each part also lets the disk
    // write it while later parts still arrive, instead of all of it at completion.
    await fh.datasync();
    ok = true;
  } finally {
    intake.end(ok);
    await fh.close();
  }
  // The ETag names this upload of this part (not its hash): the whole object's sha256 is verified
  // at completion, so a per-part digest would only cost a second pass over the bytes.
  const etag = `"${randomBytes(16).toString("hex")}"`;
  await writeFile(join(dir, `part-${n}.etag`), etag);
  res.writeHead(200, { etag, "content-length": "0" });
  res.end();
}

/** POST /lfs/multipart/{id}/complete: checks the part ETags, hashes the assembled file, stores it. */
export async function handleLfsComplete(
  cfg: LfsConfig,
  req: IncomingMessage,
  res: ServerResponse,
  id: string,
): Promise<void> {
  const dir = uploadDir(cfg, id);
  const body = await readJsonBody(req, 4 * 1024 * 1024);
  if (typeof body.oid !== "string" || !SHA256_RE.test(body.oid)) throw new HttpError(400, "oid must be a sha256");
  if ((await cfg.store.objectSize(body.oid)) !== undefined && !(await stat(dir).catch(() => undefined))) {
    sendJson(res, 200, { oid: body.oid }); // a retried completion of a finished upload
    return;
  }
  const meta = await readMeta(dir);
  if (body.oid !== meta.oid) throw new HttpError(400, "oid differs from the one this upload was started for");
  const parts = Array.isArray(body.parts) ? (body.parts as { partNumber?: unknown; etag?: unknown }[]) : [];
  if (parts.length !== meta.parts) throw new HttpError(400, `Expected ${meta.parts} parts, got ${parts.length}`);
  const stored = new Set(await readdir(dir));
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if (p.partNumber !== i + 1) throw new HttpError(400, `Part ${i + 1} is missing or out of order`);
    if (!stored.has(`part-${i + 1}.etag`)) throw new HttpError(400, `Part ${i + 1} was never uploaded`);
    const etag = await readFile(join(dir, `part-${i + 1}.etag`), "utf8");
    if (p.etag !== etag) throw new HttpError(400, `ETag of part ${i + 1} does not match the uploaded part`);
  }
  const data = join(dir, "data");
  const size = (await stat(data)).size;
  const hasher = cfg.hashers.get(id);
  cfg.hashers.delete(id);
  // The running hash saw every part in order; without it (a restart, a part sent again after it
  // was hashed) the assembled file is read once more.
  let sha256 = await hasher?.digest();
  if (sha256 === undefined) {
    const hash = createHash("sha256");
    for (let n = 1; n <= meta.parts; n++) await readPart(data, meta, n, (chunk) => hash.update(chunk));
    sha256 = hash.digest("hex");
  }
  if (sha256 !== meta.oid || size !== meta.size) {
    throw new HttpError(
      400,
      `Assembled content has sha256 ${sha256} and ${size} bytes, expected ${meta.oid} and ${meta.size} bytes`,
    );
  }
  await fsyncFile(data);
  await cfg.store.adoptObject(data, sha256);
  await rm(dir, { recursive: true, force: true });
  sendJson(res, 200, { oid: sha256, size });
}
