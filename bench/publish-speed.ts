/**
 * Publishing at the speed of the wire. A 2 GiB bundle (sparse shards, built by the CLI so the
 * hash cache knows them) is published by the CLI (`publish --to hf --json`) to the Hub stand-in
 * in its own process, against the physical reference: a raw `curl` PUT of the same shard bytes
 * to the same server (fresh server data for each). Also, where pip can install `huggingface_hub`
 * (a venv in bench/.tmp), the Python client's `upload_folder` of the same bundle, and `pull` vs
 * `snapshot_download` of the published tag. Figures: publish / curl (goal <= 1.25), publish /
 * upload_folder (goal < 1), NDJSON progress lines per file per second (goal ~10), pull /
 * snapshot_download (goal < 1). `BENCH_BEFORE_DIST=<dist>` measures another build's CLI too.
 * The runs alternate in `BENCH_PUBLISH_ROUNDS` rounds (default 3); each ratio is the median of
 * the per-round ratios, so load that drifts over minutes on a shared machine cancels out.
 */
import { execFile, spawn } from "node:child_process";
import { createReadStream, existsSync } from "node:fs";
import { createHash } from "node:crypto";
import { mkdir, readdir, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { createRepo } from "@huggingface/hub";
import { createHubUser } from "../src/local/hub/hub-users.js";
import { spawnHubServer } from "./hub-upload.js";
import { writeBenchReleaseConfig, writeSparseCheckpoint } from "./sparse-checkpoint.js";
import { curlPut } from "./curl-put.js";
import type { Benchmark, BenchMetric } from "./types.js";

const run = promisify(execFile);
const GIB = 1024 ** 3;
const SIZE = Number(process.env.BENCH_PUBLISH_GIB ?? 2) * GIB;
/** Alternating rounds of curl and publish; the reported ratios are the medians of the rounds. */
const ROUNDS = Math.max(1, Number(process.env.BENCH_PUBLISH_ROUNDS ?? 3));

/** Runs a command; resolves with wall time and stdout lines stamped with when they arrived. */
function timed(
  cmd: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ ms: number; lines: { at: number; text: string }[] }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    const lines: { at: number; text: string }[] = [];
    let buf = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      buf += d.toString();
      const parts = buf.split("\n");
      buf = parts.pop() ?? "";
      const at = performance.now() - t0;
      for (const text of parts) lines.push({ at, text });
    });
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0
        ? resolve({ ms: performance.now() - t0, lines })
        : reject(new Error(`${path.basename(cmd)} ${args[0] ?? ""} exited ${code}: ${err.slice(-2000)}`)),
    );
  });
}

async function sha256Of(file: string): Promise<string> {
  const h = createHash("sha256");
  for await (const c of createReadStream(file, { highWaterMark: 4 * 1024 * 1024 })) h.update(c as Buffer);
  return h.digest("hex");
}

/** A fresh Hub stand-in (own process, own data) with a write token for the `bench` namespace. */
async function freshHub(dir: string) {
  await rm(dir, { recursive: true, force: true });
  const { token } = await createHubUser({ dataDir: dir, name: "bench" });
  const hub = await spawnHubServer(dir);
  return {
    ...hub,
    token,
    async close() {
      hub.proc.kill("SIGTERM");
      await new Promise((r) => hub.proc.once("exit", r));
    },
  };
}

/** `python -m venv` + `pip install huggingface_hub` under bench/.tmp (kept between runs); undefined when it cannot. */
async function pythonWithHub(repoRoot: string, log: (l: string) => void): Promise<string | undefined> {
  const venv = path.join(repoRoot, "bench", ".tmp", "venv");
  const py = path.join(venv, "bin", "python");
  const has = async () =>
    run(py, ["-c", "import huggingface_hub"]).then(
      () => true,
      () => false,
    );
  if (existsSync(py) && (await has())) return py;
  try {
    await mkdir(path.dirname(venv), { recursive: true });
    await run("python3", ["-m", "venv", venv]);
    await run(path.join(venv, "bin", "pip"), ["install", "--quiet", "--retries", "0", "huggingface_hub"], {
      timeout: 600_000,
    });
    if (await has()) return py;
  } catch (e) {
    log(
      `skipping the Python client: pip could not install huggingface_hub (${String((e as Error).message).split("\n")[0]})`,
    );
    return undefined;
  }
  log("skipping the Python client: huggingface_hub does not import after pip install");
  return undefined;
}

const PY_UPLOAD = `
import sys
from huggingface_hub import HfApi
url, token, folder, repo = sys.argv[1:5]
api = HfApi(endpoint=url, token=token)
api.create_repo(repo, exist_ok=True)
api.upload_folder(folder_path=folder, repo_id=repo, ignore_patterns=[".model-release/**"], commit_message="upload_folder")
`;
const PY_DOWNLOAD = `
import sys
from huggingface_hub import snapshot_download
url, token, repo, rev, dest = sys.argv[1:6]
snapshot_download(repo_id=repo, revision=rev, local_dir=dest, endpoint=url, token=token)
`;

/** Max NDJSON `file` lines for one file within any one second. */
function peakEventsPerFileSecond(lines: { at: number; text: string }[]): { total: number; peak: number } {
  const byFile = new Map<string, number[]>();
  let total = 0;
  for (const l of lines) {
    let e: { type?: string; path?: string };
    try {
      e = JSON.parse(l.text) as { type?: string; path?: string };
    } catch {
      continue;
    }
    if (e.type !== "file" || !e.path) continue;
    total++;
    byFile.set(e.path, [...(byFile.get(e.path) ?? []), l.at]);
  }
  let peak = 0;
  for (const times of byFile.values()) {
    for (let i = 0, j = 0; i < times.length; i++) {
      while ((times[i] ?? 0) - (times[j] ?? 0) >= 1000) j++;
      peak = Math.max(peak, i - j + 1);
    }
  }
  return { total, peak };
}

const bench: Benchmark = {
  name: "publish-speed",
  description: `publish of a ${SIZE / GIB} GiB bundle to the Hub stand-in vs curl PUT and Python's upload_folder; pull vs snapshot_download`,
  async run({ tmpDir, repoRoot, log }) {
    const ckpt = path.join(tmpDir, "ckpt");
    const { shards, weightBytes } = await writeSparseCheckpoint(ckpt, { shards: 4, totalBytes: SIZE });
    const env = { XDG_CACHE_HOME: path.join(tmpDir, "cache"), HF_HOME: path.join(tmpDir, "hf-home") };
    const config = path.join(tmpDir, "release.yaml");
    await writeBenchReleaseConfig(config, {
      checkpointDir: ckpt,
      repo: "bench/bench",
      summary: "A publish benchmark.",
    });
    const bundle = path.join(tmpDir, "bundle");
    const cli = (dist: string) => path.join(dist, "cli", "bin.js");
    const dist = path.join(repoRoot, "dist");
    await timed(process.execPath, [cli(dist), "build", "--config", config, "--version", "1.0.0", "--out", bundle], env);
    const metrics: BenchMetric[] = [];

    // Reference: curl PUTs of the same shard bytes (basic transfer) to a fresh server.
    const oids = await Promise.all(shards.map(sha256Of));
    const sizes = await Promise.all(shards.map(async (f) => (await stat(f)).size));
    const curlOnce = async () => {
      const hub = await freshHub(path.join(tmpDir, "hub-curl"));
      try {
        await createRepo({ repo: "bench/curl", accessToken: hub.token as `hf_${string}`, hubUrl: hub.url });
        const batch = await fetch(`${hub.url}/bench/curl.git/info/lfs/objects/batch`, {
          method: "POST",
          headers: { authorization: `Bearer ${hub.token}`, "content-type": "application/vnd.git-lfs+json" },
          body: JSON.stringify({
            operation: "upload",
            transfers: ["basic"],
            objects: shards.map((_, k) => ({ oid: oids[k], size: sizes[k] })),
          }),
        });
        const objects = ((await batch.json()) as { objects: { oid: string; actions?: { upload: { href: string } } }[] })
          .objects;
        const t0 = performance.now();
        for (const [k, shard] of shards.entries()) {
          const href = objects.find((o) => o.oid === oids[k])?.actions?.upload.href;
          if (!href) throw new Error("no upload URL for a shard");
          await curlPut(shard, href);
        }
        return performance.now() - t0;
      } finally {
        await hub.close();
      }
    };

    const publishWith = async (label: string, distDir: string) => {
      // A fresh server each time, and no journal from the last run (it would say "already done").
      for (const f of await readdir(path.join(bundle, ".model-release")))
        if (f.startsWith("publish-"))
          await rm(path.join(bundle, ".model-release", f), { recursive: true, force: true });
      const hub = await freshHub(path.join(tmpDir, `hub-${label}`));
      try {
        const r = await timed(
          process.execPath,
          [cli(distDir), "publish", bundle, "--config", config, "--to", "hf", "--json"],
          {
            ...env,
            HF_ENDPOINT: hub.url,
            HF_TOKEN: hub.token,
          },
        );
        // The library's own hash pass: from its first "hashing" event to its first "uploading" one.
        const first = (state: string) => r.lines.find((l) => l.text.includes(`"state":"${state}"`))?.at ?? 0;
        return { ms: r.ms, hashMs: first("uploading") - first("hashing"), ...peakEventsPerFileSecond(r.lines), hub };
      } catch (e) {
        await hub.close();
        throw e;
      }
    };

    const py = await pythonWithHub(repoRoot, log);
    const uploadScript = path.join(tmpDir, "upload.py");
    await writeFile(uploadScript, PY_UPLOAD);
    const uploadFolderOnce = async () => {
      const hub = await freshHub(path.join(tmpDir, "hub-python"));
      try {
        return (
          await timed(py!, [uploadScript, hub.url, hub.token, bundle, "bench/python"], {
            ...env,
            HF_HUB_DISABLE_TELEMETRY: "1",
            // The stand-in speaks LFS (basic, multipart), not Xet.
            HF_HUB_DISABLE_XET: "1",
          })
        ).ms;
      } finally {
        await hub.close();
      }
    };

    // Rounds of curl, publish (and the before build, and upload_folder) back to back: on a shared
    // machine the load drifts between minutes, so each ratio is taken within its round and the
    // median of the rounds is reported.
    const before = process.env.BENCH_BEFORE_DIST ? path.resolve(process.env.BENCH_BEFORE_DIST) : undefined;
    const rounds: { curl: number; after: Awaited<ReturnType<typeof publishWith>>; before?: number; py?: number }[] = [];
    let last: Awaited<ReturnType<typeof publishWith>> | undefined;
    try {
      for (let i = 0; i < ROUNDS; i++) {
        const curl = await curlOnce();
        await last?.hub.close();
        last = await publishWith("after", dist);
        const round: (typeof rounds)[number] = { curl, after: last };
        if (before) {
          const b = await publishWith("before", before);
          await b.hub.close();
          round.before = b.ms;
        }
        if (py) round.py = await uploadFolderOnce();
        rounds.push(round);
        log(
          `round ${i + 1}: curl PUT of ${shards.length} shards (${(weightBytes / 1e9).toFixed(2)} GB) ${curl.toFixed(0)} ms; ` +
            `publish ${last.ms.toFixed(0)} ms (the library's hash pass ${last.hashMs.toFixed(0)} ms)` +
            (round.before === undefined ? "" : `; publish (before) ${round.before.toFixed(0)} ms`) +
            (round.py === undefined ? "" : `; upload_folder ${round.py.toFixed(0)} ms`),
        );
      }
      const after = last!;
      const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
      const per = (f: (r: (typeof rounds)[number]) => number) =>
        rounds
          .map(f)
          .map((x) => x.toFixed(2))
          .join(", ");
      log(`${after.total} NDJSON file events, peak ${after.peak}/s per file`);
      metrics.push(
        {
          name: `publish ${SIZE / GIB} GiB / curl PUT of the same bytes`,
          value: median(rounds.map((r) => r.after.ms / r.curl)),
          unit: "x",
          goal: { max: 1.25 },
          note: `median of ${ROUNDS} rounds (${per((r) => r.after.ms / r.curl)}), whole process (plan, verify, hash, upload, commit, tag)`,
        },
        {
          name: "publish without the library's hash pass / curl",
          value: median(rounds.map((r) => (r.after.ms - r.after.hashMs) / r.curl)),
          unit: "x",
          note: `what an upstream precomputed-digest option would give: the pass took ${per((r) => r.after.hashMs / 1000)} s`,
        },
        {
          name: "NDJSON progress events per file per second",
          value: after.peak,
          unit: "/s",
          goal: { max: 10 },
          note: `${after.total} file events in all`,
        },
      );
      if (before)
        metrics.push({
          name: "publish / curl PUT (before)",
          value: median(rounds.map((r) => r.before! / r.curl)),
          unit: "x",
          note: `BENCH_BEFORE_DIST's CLI against the same server, rounds ${per((r) => r.before! / r.curl)}`,
        });
      if (py) {
        metrics.push({
          name: "publish / Python upload_folder",
          value: median(rounds.map((r) => r.after.ms / r.py!)),
          unit: "x",
          goal: { max: 0.99 },
          note: `median of ${ROUNDS} rounds (${per((r) => r.after.ms / r.py!)}), whole processes; upload_folder neither verifies nor tags`,
        });

        // Pull the tag just published, verified, vs snapshot_download of the same tag (best of two each).
        const dl = path.join(tmpDir, "download.py");
        await writeFile(dl, PY_DOWNLOAD);
        const hubEnv = { ...env, HF_ENDPOINT: after.hub.url, HF_TOKEN: after.hub.token };
        const pulls: number[] = [];
        const snaps: number[] = [];
        for (let i = 0; i < 2; i++) {
          const to = path.join(tmpDir, `pull-${i}`);
          pulls.push((await timed(process.execPath, [cli(dist), "pull", "bench/bench@1.0.0", "--to", to], hubEnv)).ms);
          await rm(to, { recursive: true, force: true });
          const dest = path.join(tmpDir, `snap-${i}`);
          snaps.push(
            (
              await timed(py, [dl, after.hub.url, after.hub.token, "bench/bench", "v1.0.0", dest], {
                ...hubEnv,
                HF_HUB_DISABLE_XET: "1",
              })
            ).ms,
          );
          await rm(dest, { recursive: true, force: true });
        }
        log(
          `pull (verified): ${pulls.map((m) => m.toFixed(0)).join(", ")} ms; snapshot_download: ${snaps.map((m) => m.toFixed(0)).join(", ")} ms`,
        );
        metrics.push({
          name: "pull (with verification) / snapshot_download",
          value: Math.min(...pulls) / Math.min(...snaps),
          unit: "x",
          goal: { max: 0.99 },
          note: "whole processes, best of two",
        });
      }
    } finally {
      await last?.hub.close();
    }
    return metrics;
  },
};
export default bench;
