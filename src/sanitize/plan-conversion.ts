import { readFile } from "node:fs/promises";
import { readTorchConversionPlan } from "../checkpoint/pickle/read-torch-conversion-plan.js";
import { parseSafetensorsIndex } from "../checkpoint/parse-safetensors-index.js";
import type { Inventory, InventoryFile } from "../checkpoint/types.js";
import { isReleaseError } from "../errors.js";
import type { Finding } from "../findings.js";
import { isPickleWeightsIndex } from "./plan-weight-pickle-target.js";
import { scanContent, scanFile, type ScanContext } from "./scan-checkpoint.js";
import type { SanitizePlan } from "./types.js";

/** Findings about what a file runs or hides (not what it leaks): they block a converted file too. */
const UNSAFE_CONTENT_RULES = new Set([
  "unsafe-pickle-global",
  "unknown-pickle-global",
  "pickle-invalid",
  "numpy-object-array",
  "unscanned-archive",
  "unscanned-archive-member",
  "unreadable-archive",
  "unreadable-file",
  "scan-budget-exceeded",
]);

/** Name of the index generated for converted shards, as `save_pretrained` writes it. */
export const CONVERTED_INDEX = "model.safetensors.index.json";
const SHARD = /^model-(\d{5})-of-(\d{5})\.safetensors$/;

/**
 * Plans the conversion of one weight pickle to `target`: reads the pickle symbolically (never
 * executes it) with `readTorchConversionPlan`. A pickle that imports anything off the state-dict
 * allowlist, or that is not a plain dict of contiguous tensors, blocks with the reader's own
 * finding (rule, file, byte offset); otherwise a conversion is added to `plan`. The tensor names
 * are published, so the planned header is scanned as published content (findings block, on the
 * target path); the rest of the pickle is not published, so its strings are scanned as a dropped
 * file's (warnings).
 */
export async function planConversion(
  file: InventoryFile,
  target: string,
  ctx: ScanContext,
  plan: SanitizePlan,
): Promise<Finding[]> {
  const conv = await readTorchConversionPlan(file.absPath, { file: file.path });
  const findings: Finding[] = [...conv.findings];
  // The scan lists the pickle's imports as the converter does: one finding per rule and place.
  const seen = new Set(conv.findings.map((f) => `${f.rule}@${f.offset}`));
  const fresh = (f: Finding) => !seen.has(`${f.rule}@${f.offset}`);
  if (conv.findings.some((f) => f.severity === "block")) {
    // The reader stops at the first refusal; the secret scan still reports what the pickle holds.
    findings.push(...(await scanFile(file, ctx)).filter(fresh));
    return findings;
  }
  plan.conversions!.push({
    path: target,
    from: file.path,
    absPath: file.absPath,
    role: "weights",
    format: conv.format,
    tensors: conv.tensors.map((t) => ({
      name: t.name,
      dtype: t.dtype,
      shape: t.shape,
      bytes: t.dataOffsets[1] - t.dataOffsets[0],
    })),
    size: conv.size,
    reason: `plain state dict converted to safetensors without running the pickle (${conv.tensors.length} tensors)`,
  });
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(Buffer.byteLength(conv.header)));
  findings.push(
    ...(await scanContent({
      path: target,
      content: Buffer.concat([len, Buffer.from(conv.header, "utf8")]),
      patterns: ctx.opts.patterns ?? [],
      secretlint: ctx.secretlint,
      signal: ctx.signal,
    })),
  );
  for (const f of (await scanFile(file, ctx)).filter(fresh)) {
    // What the file would run when loaded decides for the whole file, as it does for `scan`: a
    // payload in an extra member or after the state dict's STOP blocks although the converter
    // never reads it. Secrets in the source are not published (only tensor names and data are).
    if (UNSAFE_CONTENT_RULES.has(f.rule)) findings.push(f);
    else
      findings.push({
        ...f,
        severity: "warn",
        message: `${f.message} (in the source pickle: only tensor names and data are converted, the rest is not published)`,
      });
  }
  return findings;
}

/**
 * For converted shards (`model-0000X-of-0000N.safetensors`), plans `model.safetensors.index.json`
 * from the converted headers (weight_map, `metadata.total_size` = tensor bytes, as
 * `save_pretrained` writes it) as a generated rewrite. Blocks when a shard of the set is missing,
 * a tensor is in two shards, or the checkpoint's `pytorch_model.bin.index.json` disagrees with
 * the shards' contents (a loader would silently miss tensors).
 */
export async function planConvertedIndex(
  inventory: Pick<Inventory, "files">,
  ctx: ScanContext,
  plan: SanitizePlan,
): Promise<Finding[]> {
  const shards = (plan.conversions ?? []).filter((c) => SHARD.test(c.path)).sort((a, b) => (a.path < b.path ? -1 : 1));
  const source = inventory.files.find((f) => isPickleWeightsIndex(f.path));
  const blocked = inventory.files.some(
    (f) => /^pytorch_model-\d{5}-of-\d{5}\.bin$/.test(f.path) && !shards.some((c) => c.from === f.path),
  );
  if (shards.length === 0 || blocked) return [];
  const findings: Finding[] = [];
  const block = (file: string, message: string, rule = "weights-index-mismatch") =>
    findings.push({ rule, severity: "block", file, message });

  const total = Number(SHARD.exec(shards[0]!.path)![2]);
  const have = new Set(shards.map((c) => Number(SHARD.exec(c.path)![1])));
  for (let i = 1; i <= total; i++) {
    if (!have.has(i))
      block(
        `pytorch_model-${String(i).padStart(5, "0")}-of-${String(total).padStart(5, "0")}.bin`,
        `shard ${i} of ${total} is missing from the checkpoint`,
        "weights-shard-missing",
      );
  }
  for (const c of shards)
    if (Number(SHARD.exec(c.path)![2]) !== total)
      block(c.from, `shard of a set of ${SHARD.exec(c.path)![2]}, beside a set of ${total}`, "weights-shard-missing");

  const weightMap = new Map<string, string>();
  let totalSize = 0;
  for (const c of shards) {
    for (const t of c.tensors) {
      const other = weightMap.get(t.name);
      if (other)
        block(
          c.from,
          `tensor ${JSON.stringify(t.name)} is also in ${shards.find((s) => s.path === other)!.from}`,
          "weights-duplicate-tensor",
        );
      weightMap.set(t.name, c.path);
      totalSize += t.bytes;
    }
  }

  if (source) {
    try {
      const parsed = parseSafetensorsIndex({ text: await readFile(source.absPath, "utf8"), file: source.path });
      const converted = (shard: string) =>
        shard.replace(/^pytorch_model-(\d{5}-of-\d{5})\.bin$/, "model-$1.safetensors");
      const missing = [...parsed.weightMap]
        .filter(([name, shard]) => weightMap.get(name) !== converted(shard))
        .map(([n]) => n);
      const extra = [...weightMap.keys()].filter((n) => !parsed.weightMap.has(n));
      if (missing.length > 0)
        block(
          source.path,
          `weight_map names ${missing.length} tensor(s) not in the shard it says, e.g. ${JSON.stringify(missing[0])}`,
        );
      if (extra.length > 0)
        block(
          source.path,
          `the shards hold ${extra.length} tensor(s) weight_map does not name, e.g. ${JSON.stringify(extra[0])}`,
        );
    } catch (err) {
      if (!isReleaseError(err)) throw err;
      findings.push({
        rule: "unreadable-file",
        severity: "block",
        file: source.path,
        ...(err.location?.offset !== undefined ? { offset: err.location.offset } : {}),
        message: err.message,
      });
    }
  }

  const sorted = Object.fromEntries([...weightMap].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const content = `${JSON.stringify({ metadata: { total_size: totalSize }, weight_map: sorted }, null, 2)}\n`;
  const from = source?.path ?? shards[0]!.from;
  plan.rewrites.push({
    path: CONVERTED_INDEX,
    from: source?.absPath ?? shards[0]!.absPath,
    role: "weights-index",
    content,
    diff: `--- ${from} (checkpoint)\n+++ ${CONVERTED_INDEX} (generated)\n+ ${weightMap.size} tensors in ${shards.length} shards, total_size ${totalSize}\n`,
    reason: "shard index generated from the converted safetensors headers",
  });
  findings.push(
    ...(await scanContent({
      path: CONVERTED_INDEX,
      content,
      patterns: ctx.opts.patterns ?? [],
      secretlint: ctx.secretlint,
      signal: ctx.signal,
    })),
  );
  return findings;
}
