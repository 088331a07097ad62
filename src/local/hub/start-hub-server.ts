import { AsyncLocalStorage } from "node:async_hooks";
import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { acquireDataDirLock } from "./acquire-data-dir-lock.js";
import { createFaultInjector, type FaultInjector, type FaultRule } from "../faults.js";
import type { Cfg } from "./hub-context.js";
import { HttpError, repoNotFound, sendError } from "./hub-http.js";
import type { LfsConfig } from "./hub-lfs.js";
import { routeHubRequest } from "./route-hub-request.js";
import { createHubStore, RepoGoneError } from "./hub-store.js";
import { createHubUser, type HubTokenRole } from "./hub-users.js";

/** Options of the local Hub-compatible server. */
export interface StartHubServerParams {
  /** Where repos, objects, users and the URL-signing secret live; reused across restarts. One server per dir (locked). */
  dataDir: string;
  /** Default 127.0.0.1: the server is for loopback rehearsal, not for exposure. */
  host?: string;
  /** 0 (default) picks an ephemeral port. */
  port?: number;
  faults?: FaultRule[];
  /** Largest file accepted (default 500 GiB, the Hub's hard limit). */
  maxFileBytes?: number;
  /** Largest NDJSON commit body, i.e. inline files base64 (default 256 MiB). */
  maxCommitBytes?: number;
  /** Objects above this use multipart transfer (default: multipartChunkBytes). */
  multipartThresholdBytes?: number;
  /** Part size of multipart transfers (default 64 MiB). */
  multipartChunkBytes?: number;
  /** Entries per page of tree listings (default 1000); commit pages follow the client's `limit`. */
  treePageSize?: number;
  /** Lifetime of signed LFS URLs in seconds (default 900, like the Hub's S3 URLs). */
  signedUrlSeconds?: number;
  /** Clock in ms, for signed-URL expiry and commit dates. */
  now?: () => number;
}

/** A running local Hub. */
export interface HubServer {
  /** Base URL without trailing slash, e.g. http://127.0.0.1:34567: pass it as `hubUrl`. */
  url: string;
  faults: FaultInjector;
  /** Creates a user (or adds orgs to it) and mints an `hf_` token; the token is shown only here. */
  createUser(params: {
    name: string;
    orgs?: string[];
    role?: HubTokenRole;
    tokenName?: string;
  }): Promise<{ name: string; token: string; role: HubTokenRole }>;
  close(): Promise<void>;
}

/**
 * Starts a Hub-compatible HTTP server (only node:http) that speaks the subset of the Hub protocol
 * `@huggingface/hub` 2.17 and Python `huggingface_hub` use to publish and fetch a release
 * (docs: /work/shared/reference/hub-protocol.md §2, §8).
 */
export async function startHubServer(params: StartHubServerParams): Promise<HubServer> {
  const store = createHubStore(params.dataDir);
  const unlock = await acquireDataDirLock(params.dataDir);
  try {
    await store.init();
  } catch (err) {
    await unlock();
    throw err;
  }
  const secret = await readOrCreateSecret(params.dataDir);
  const now = params.now ?? Date.now;
  const chunk = params.multipartChunkBytes ?? 64 * 1024 * 1024;
  let baseUrl = "";
  // Bound to a wildcard address (`serve --allow-remote`), the URLs the server mints (signed LFS
  // URLs, Link headers, repo urls) must use the address each client reached it by.
  const wildcard = ["0.0.0.0", "::", "[::]"].includes(params.host ?? "127.0.0.1");
  const requestBase = new AsyncLocalStorage<string>();
  const base = () => requestBase.getStore() ?? baseUrl;
  const lfs: LfsConfig = {
    store,
    secret,
    baseUrl: base,
    now,
    maxFileBytes: params.maxFileBytes ?? 500 * 1024 ** 3,
    multipartChunkBytes: chunk,
    multipartThresholdBytes: params.multipartThresholdBytes ?? chunk,
    signedUrlSeconds: params.signedUrlSeconds ?? 900,
    hashers: new Map(),
  };
  const cfg: Cfg = {
    store,
    lfs,
    now,
    maxCommitBytes: params.maxCommitBytes ?? 256 * 1024 * 1024,
    treePageSize: params.treePageSize ?? 1000,
    baseUrl: base,
  };
  const faults = createFaultInjector(params.faults ?? []);

  const server = createServer((req, res) => {
    res.setHeader("x-request-id", randomBytes(8).toString("hex"));
    const host = req.headers.host ?? "";
    const origin = wildcard && /^[A-Za-z0-9.:[\]-]{1,255}$/.test(host) ? `http://${host}` : baseUrl;
    void requestBase.run(origin, async () => {
      try {
        if (await faults.intercept(req, res)) return;
        await routeHubRequest(cfg, req, res);
      } catch (err) {
        if (err instanceof HttpError) sendError(res, err);
        else if (err instanceof RepoGoneError) sendError(res, repoNotFound());
        else sendError(res, new HttpError(500, `Internal error: ${(err as Error).message}`));
      }
    });
  });
  // Multi-GB uploads take longer than Node's default 5-minute request timeout.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err) => void unlock().then(() => reject(err)));
    server.listen(params.port ?? 0, params.host ?? "127.0.0.1", () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  baseUrl = `http://${host}:${addr.port}`;
  return {
    url: baseUrl,
    faults,
    createUser: (p) => createHubUser({ dataDir: params.dataDir, ...p }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => void unlock().then(() => (err ? reject(err) : resolve())));
        server.closeAllConnections();
      }),
  };
}

async function readOrCreateSecret(dataDir: string): Promise<Buffer> {
  const path = join(dataDir, "url-signing.key");
  try {
    return Buffer.from(await readFile(path, "utf8"), "hex");
  } catch {
    const key = randomBytes(32);
    await writeFile(path, key.toString("hex"), { mode: 0o600, flag: "wx" }).catch(() => undefined);
    return Buffer.from(await readFile(path, "utf8"), "hex");
  }
}
