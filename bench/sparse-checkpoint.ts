/**
 * Big checkpoints for benchmarks without writing big files: each shard is a real safetensors
 * header followed by a hole (`truncate`), so 250 GB costs no disk and reads at memory speed, and
 * shards differ by their tensor names (hence by digest). Plus the small files a release needs:
 * index, config, a release config and an evaluation result.
 */
import { open, utimes, writeFile, mkdir } from "node:fs/promises";
import path from "node:path";

/** Writes `shards` sparse shards totalling about `totalBytes`; returns the shard paths. */
export async function writeSparseCheckpoint(dir: string, params: { shards: number; totalBytes: number }) {
  await mkdir(dir, { recursive: true });
  const perShard = Math.floor(params.totalBytes / params.shards);
  // BF16 rows of 4096: tensors of at most 1 GiB, as large layers are.
  const row = 4096 * 2;
  const maxTensor = 1024 ** 3;
  const weightMap: Record<string, string> = {};
  const files: string[] = [];
  let total = 0;
  for (let s = 0; s < params.shards; s++) {
    const name = `model-${String(s + 1).padStart(5, "0")}-of-${String(params.shards).padStart(5, "0")}.safetensors`;
    const header: Record<string, unknown> = { __metadata__: { format: "pt" } };
    let offset = 0;
    for (let t = 0; offset + row <= perShard; t++) {
      const rows = Math.max(1, Math.floor(Math.min(maxTensor, perShard - offset) / row));
      const key = `model.layers.${s}.mlp.${t}.weight`;
      header[key] = { dtype: "BF16", shape: [rows, 4096], data_offsets: [offset, offset + rows * row] };
      weightMap[key] = name;
      offset += rows * row;
    }
    let json = JSON.stringify(header);
    json += " ".repeat((8 - (json.length % 8)) % 8);
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(json.length));
    const file = path.join(dir, name);
    const fh = await open(file, "w");
    try {
      await fh.write(Buffer.concat([len, Buffer.from(json)]));
      await fh.truncate(8 + json.length + offset);
    } finally {
      await fh.close();
    }
    total += offset;
    files.push(file);
  }
  await writeFile(
    path.join(dir, "model.safetensors.index.json"),
    JSON.stringify({ metadata: { total_size: total }, weight_map: weightMap }, null, 2),
  );
  await writeFile(
    path.join(dir, "config.json"),
    JSON.stringify({ architectures: ["GptOssForCausalLM"], model_type: "gpt_oss" }),
  );
  // A finished checkpoint is older than the build: mtimes in the past, as they would be.
  const hourAgo = new Date(Date.now() - 3600_000);
  for (const f of [...files, path.join(dir, "model.safetensors.index.json"), path.join(dir, "config.json")])
    await utimes(f, hourAgo, hourAgo);
  return { shards: files, weightBytes: total };
}

/** A release config (and its evaluation file) for `checkpointDir`, with a card summary to vary. */
export async function writeBenchReleaseConfig(
  file: string,
  params: { checkpointDir: string; repo: string; summary: string },
): Promise<void> {
  const evals = path.join(path.dirname(file), "evals.yaml");
  await writeFile(
    file,
    [
      "name: bench",
      `checkpoint: ${JSON.stringify(params.checkpointDir)}`,
      "base_model: openai/gpt-oss-20b",
      "task: text-generation",
      "hub:",
      `  repo: ${params.repo}`,
      "card:",
      `  summary: ${JSON.stringify(params.summary)}`,
      "  intended_uses: [Measuring how long a release takes.]",
      "  out_of_scope: [Anything else; the weights are zeros.]",
      "  recommendations: [Do not use these weights.]",
      "  evaluation: {testing_data: None; the weights are zeros.}",
      "training: {hyperparameters: {epochs: 1, precision: bf16}}",
      "evals:",
      `  results: [${JSON.stringify(evals)}]`,
      "",
    ].join("\n"),
  );
  await writeFile(
    evals,
    [
      "format: model-release/evals@1",
      "harness: {name: bench-harness, version: 0.1.0}",
      "benchmarks:",
      "  - name: zeros",
      "    samples: 100",
      "    metrics:",
      "      - {name: accuracy, value: 0.25}",
      "",
    ].join("\n"),
  );
}
