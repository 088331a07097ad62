import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Manifest, ManifestFile } from "../../../src/bundle/types.js";

/** Deterministic pseudo-random bytes: shards that differ by seed, identical across runs. */
export function shardBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const sha = (b: Uint8Array | string) => createHash("sha256").update(b).digest("hex");

/**
 * Writes a small bundle the way `model-release build` lays it out (files, manifest.json,
 * SHA256SUMS covering the manifest too), so publish tests do not depend on the build stage.
 * Shards are a few KB: the Hub stand-in routes *.safetensors to LFS by its default .gitattributes.
 */
export async function writeTestBundle(
  dir: string,
  params: {
    version: string;
    tag?: string;
    shards: number;
    card?: string;
    shardSeed?: number;
    hubRepo?: string;
    repoType?: "model" | "dataset";
    githubRepo?: string;
    shardBytes?: number;
    /** config.json content (default a tiny llama). */
    config?: Record<string, unknown>;
  },
): Promise<Manifest> {
  await mkdir(dir, { recursive: true });
  const files: { path: string; bytes: Uint8Array | string; role: ManifestFile["role"] }[] = [];
  for (let i = 1; i <= params.shards; i++) {
    const name = `model-${String(i).padStart(5, "0")}-of-${String(params.shards).padStart(5, "0")}.safetensors`;
    files.push({
      path: name,
      bytes: shardBytes(params.shardBytes ?? 4096, (params.shardSeed ?? 7) * 100 + i),
      role: "weights",
    });
  }
  files.push({
    path: "config.json",
    bytes: `${JSON.stringify(params.config ?? { model_type: "llama", hidden_size: 64 })}\n`,
    role: "config",
  });
  files.push({
    path: "README.md",
    bytes: params.card ?? "---\nlicense: apache-2.0\n---\n# Robot coder\n\nConverts robot job files.\n",
    role: "card",
  });
  files.push({
    path: "eval-results.json",
    bytes: JSON.stringify({ rows: [{ benchmark: "job2drl", metric: "exact_match", value: 0.81 }] }),
    role: "eval",
  });
  files.sort((a, b) => (a.path < b.path ? -1 : 1));
  const manifestFiles: ManifestFile[] = [];
  for (const f of files) {
    await writeFile(join(dir, f.path), f.bytes);
    manifestFiles.push({
      path: f.path,
      size: typeof f.bytes === "string" ? Buffer.byteLength(f.bytes) : f.bytes.length,
      sha256: sha(f.bytes),
      role: f.role,
      origin: "test",
    });
  }
  const manifest: Manifest = {
    schema: "model-release/manifest@1",
    name: "robot-coder",
    version: params.version,
    tag: params.tag ?? `v${params.version}`,
    hub: { repo: params.hubRepo ?? "acme/robot-coder", repoType: params.repoType ?? "model" },
    github: { repo: params.githubRepo ?? "acme/robot-coder" },
    files: manifestFiles,
    overrides: [],
    contentDigest: sha(manifestFiles.map((f) => `${f.sha256}  ${f.path}\n`).join("")),
  };
  const manifestText = `${JSON.stringify(manifest, null, 2)}\n`;
  await writeFile(join(dir, "manifest.json"), manifestText);
  await writeFile(
    join(dir, "SHA256SUMS"),
    [...manifestFiles, { path: "manifest.json", sha256: sha(manifestText) }]
      .sort((a, b) => (a.path < b.path ? -1 : 1))
      .map((f) => `${f.sha256}  ${f.path}\n`)
      .join(""),
  );
  return manifest;
}
