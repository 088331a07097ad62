import { readFile } from "node:fs/promises";
import type { Inventory, InventoryFile } from "../checkpoint/types.js";
import type { SanitizeConfig } from "../config/schema.js";
import { isReleaseError } from "../errors.js";
import { isBlocking, type Finding } from "../findings.js";
import { planTypedContent } from "./plan-typed-content.js";
import { classifyCheckpointFile } from "./classify-checkpoint-file.js";
import { planSafetensorsHeader } from "./plan-safetensors-header.js";
import {
  applyAllowFindings,
  scanCheckpoint,
  scanContent,
  scanFile,
  scanSafetensorsByteTensors,
  type ScanContext,
} from "./scan-checkpoint.js";
import { scanFilesParallel } from "./scan-files-parallel.js";
import { scrubJsonMetadata } from "./scrub-json-metadata.js";
import { planConversion, planConvertedIndex } from "./plan-conversion.js";
import { planPathNames } from "./plan-path-names.js";
import { type ScanBudget, scanBudgetFromConfig } from "./scan-budget.js";
import type { SanitizePlan } from "./types.js";

/** Dropped files up to this size are scanned too, to warn that the source tree leaked. */
export const DROPPED_SCAN_LIMIT = 64 * 1024 * 1024;

export interface PlanSanitizeParams {
  inventory: Pick<Inventory, "files">;
  config: SanitizeConfig;
  /** Public Hub id of the base model: local `*_name_or_path` values are rewritten to it. */
  baseModel?: string;
  /** Run secretlint's preset besides the own rules (default true). */
  secretlint?: boolean;
  /** Scan dropped files: "small" (default, up to DROPPED_SCAN_LIMIT), "all" or "none". */
  scanDropped?: "small" | "all" | "none";
  signal?: AbortSignal;
  /** Files scanned at once (default: one per core; see `scanFilesParallel`). */
  concurrency?: number;
  /** Resource budgets of the scan (default: the config's `scan_budget`, else `DEFAULT_SCAN_BUDGET`); exceeding one blocks the file. */
  budget?: ScanBudget;
}

/**
 * The sanitizer's plan for a checkpoint: which files are published as they are, which are
 * rewritten (scrubbed JSON metadata, safetensors headers without non-allowlisted metadata),
 * which pickle weights are converted to safetensors (plain state dicts only: see
 * `planWeightPickleTarget`), which are dropped and why, and every finding. Reads files (headers, metadata, strings) but
 * writes nothing. Findings in published content (after scrubbing) and in files the policy does
 * not know block; findings in dropped files are warnings, since those bytes never leave.
 */
export async function planSanitize(params: PlanSanitizeParams): Promise<SanitizePlan> {
  const { inventory, config } = params;
  const patterns = config.patterns;
  const scanOpts = { patterns, secretlint: params.secretlint ?? true, signal: params.signal };
  // Validates the config patterns once (a bad regex is a usage error, not a finding).
  await scanCheckpoint({ inventory: { files: [] }, patterns });
  const plan: SanitizePlan = { publish: [], dropped: [], rewrites: [], conversions: [], findings: [], unscanned: [] };
  // Pickle weights are dropped for safetensors weights only when those are published: a
  // safetensors file inside a dropped Trainer checkpoint (checkpoint-500/) does not count.
  const hasSafetensorsWeights = inventory.files.some(
    (f) =>
      f.format === "safetensors" &&
      classifyCheckpointFile(f, config, { hasSafetensorsWeights: true }).action === "publish",
  );
  const paths = inventory.files.map((f) => f.path);
  const ctx: ScanContext = {
    opts: { patterns, internalDomains: config.internal_domains },
    secretlint: scanOpts.secretlint,
    signal: params.signal,
    budget: params.budget ?? scanBudgetFromConfig(config.scan_budget),
    usage: { inflated: 0 },
  };
  const mode = params.scanDropped ?? "small";
  const decisions = inventory.files.map((file) =>
    classifyCheckpointFile(file, config, { hasSafetensorsWeights, paths }),
  );
  // The files scanned as they are on disk are scanned up front, on all cores; the loop below
  // picks their findings up in file order.
  const whole = inventory.files.filter((file, i) => scansWholeFile(file, decisions[i]!, mode));
  const scanned = new Map<InventoryFile, Finding[]>();
  for (const [i, fs] of (await scanFilesParallel(whole, ctx, scanFile, { concurrency: params.concurrency })).entries())
    scanned.set(whole[i]!, fs);
  const scanOne = async (file: InventoryFile): Promise<Finding[]> => scanned.get(file) ?? scanFile(file, ctx);

  // Each file is planned into its own sub-plan, a few files at once (the reads are small and
  // latency-bound: headers, JSON metadata), then the sub-plans are joined in file order, so the
  // plan is the same as planning one file after the other.
  const planFile = async (
    file: InventoryFile,
    decision: (typeof decisions)[number],
    sub: SanitizePlan,
  ): Promise<void> => {
    params.signal?.throwIfAborted();
    if (decision.action === "drop") {
      sub.dropped.push({ path: file.path, reason: decision.reason });
      if (mode === "none" || (mode === "small" && file.size > DROPPED_SCAN_LIMIT)) {
        sub.unscanned!.push({
          path: file.path,
          reason: mode === "none" ? "dropped, scan disabled" : `dropped, larger than ${DROPPED_SCAN_LIMIT} bytes`,
        });
        return;
      }
      for (const f of await scanOne(file)) {
        // A pickle that imports a code-running callable is an attack whatever happens to its
        // file: the folder it sits in is not trusted to release from, so it still blocks.
        const attack = f.rule === "unsafe-pickle-global" && f.severity === "block";
        sub.findings.push({
          ...f,
          severity: attack ? "block" : "warn",
          message: attack
            ? `${f.message} (in a file the build would drop: remove it from the checkpoint folder before releasing)`
            : `${f.message} (in a dropped file: not published, but the checkpoint holds it)`,
        });
      }
      return;
    }
    if (decision.action === "block") {
      sub.findings.push({
        rule: decision.rule,
        severity: "block",
        file: file.path,
        message: `${decision.reason}. ${decision.hint}`,
      });
      sub.findings.push(...(await scanOne(file)));
      return;
    }
    if (decision.action === "convert") {
      sub.findings.push(...(await planConversion(file, decision.target, ctx, sub)));
      return;
    }
    sub.findings.push(...(await planPublishedFile(file, decision, params, sub, scanOne, ctx)));
  };
  const subs = await mapInOrder(inventory.files, FILE_PLAN_CONCURRENCY, async (file, i) => {
    const sub: SanitizePlan = { publish: [], dropped: [], rewrites: [], conversions: [], findings: [], unscanned: [] };
    await planFile(file, decisions[i]!, sub);
    return sub;
  });
  plan.findings.push(...planPathNames(inventory.files, decisions, patterns));
  for (const sub of subs) {
    plan.publish.push(...sub.publish);
    plan.dropped.push(...sub.dropped);
    plan.rewrites.push(...sub.rewrites);
    plan.conversions!.push(...sub.conversions!);
    plan.findings.push(...sub.findings);
    plan.unscanned!.push(...sub.unscanned!);
  }
  plan.findings.push(...(await planConvertedIndex(inventory, ctx, plan)));
  plan.findings = applyAllowFindings(plan.findings, config.allow_findings);
  return plan;
}

async function planPublishedFile(
  file: InventoryFile,
  decision: Extract<ReturnType<typeof classifyCheckpointFile>, { action: "publish" }>,
  params: PlanSanitizeParams,
  plan: SanitizePlan,
  scanOne: (file: InventoryFile) => Promise<Finding[]>,
  ctx: ScanContext,
): Promise<Finding[]> {
  const patterns = params.config.patterns;
  const secretlint = params.secretlint ?? true;
  const publishAsIs = () =>
    plan.publish.push({
      path: file.path,
      absPath: file.absPath,
      role: decision.role,
      overrideReason: decision.overrideReason,
    });
  const unreadable = (err: unknown): Finding[] => {
    if (!isReleaseError(err)) throw err;
    return [
      {
        rule: JSON_ERROR_RULES[err.code] ?? "unreadable-file",
        severity: "block",
        file: file.path,
        offset: err.location?.offset,
        message: err.message,
        excerpt: undefined,
      },
    ];
  };

  if (decision.scrub === "json-metadata" && file.format === "json") {
    let text: string;
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(await readFile(file.absPath));
    } catch {
      return [
        {
          rule: "binary-posing-as-text",
          severity: "block",
          file: file.path,
          message: "named and sniffed as JSON but not valid UTF-8",
        },
      ];
    }
    try {
      const scrub = scrubJsonMetadata(text, {
        file: file.path,
        baseModel: params.baseModel,
        detect: { patterns },
        // An index's keys are tensor names: removing one breaks the index, so what they leak blocks.
        removeKeys: decision.role !== "weights-index",
      });
      if (!scrub.changed) {
        publishAsIs();
        return scanContent({
          path: file.path,
          content: text,
          patterns,
          internalDomains: params.config.internal_domains,
          secretlint,
          signal: params.signal,
        });
      }
      plan.rewrites.push({
        path: file.path,
        from: file.absPath,
        role: decision.role,
        content: scrub.content,
        diff: scrub.diff,
        reason: "local paths, host and user names removed from JSON metadata",
      });
      return scanContent({
        path: file.path,
        content: scrub.content,
        patterns,
        internalDomains: params.config.internal_domains,
        secretlint,
        signal: params.signal,
      });
    } catch (err) {
      return unreadable(err);
    }
  }

  if (decision.scrub === "safetensors-header") {
    try {
      const header = await planSafetensorsHeader(file.absPath, file.path);
      // Scan the header as published: 8-byte prefix + JSON, so offsets are byte offsets in the file.
      const lenPrefix = Buffer.alloc(8);
      lenPrefix.writeBigUInt64LE(BigInt(Buffer.byteLength(header.headerText)), 0);
      const findings = await scanContent({
        path: file.path,
        content: Buffer.concat([lenPrefix, Buffer.from(header.headerText, "utf8")]),
        patterns,
        internalDomains: params.config.internal_domains,
        secretlint,
        signal: params.signal,
      });
      // Byte tensors carry bytes, not numbers (TransformerEngine's pickled `_extra_state`).
      findings.push(...(await scanSafetensorsByteTensors(file, ctx)));
      if (!header.rewrite) publishAsIs();
      else {
        const r = header.rewrite;
        plan.rewrites.push({
          path: file.path,
          from: file.absPath,
          role: decision.role,
          content: r.header,
          diff: r.diff,
          reason: r.inPlace
            ? "safetensors __metadata__ reduced to allowlisted keys (header padded in place)"
            : "safetensors __metadata__ reduced to allowlisted keys (shard copied)",
          tail: { absPath: file.absPath, offset: r.dataOffset, length: r.dataLength, inPlace: r.inPlace },
        });
      }
      return findings;
    } catch (err) {
      return unreadable(err);
    }
  }

  const typed = await planTypedContent(file, decision.role, { patterns, secretlint, signal: params.signal });
  if (typed.some(isBlocking)) return [...typed, ...(await scanOne(file))];
  publishAsIs();
  // A published file must be what its name says, whole: what the scan of a dropped file only
  // warns about (malformed or too deep JSON, duplicate keys, bytes that are not text) blocks here.
  // (A Jinja template starting with `{%` is scanned as JSON first; only JSON files must be JSON.)
  const strict = (rule: string) =>
    rule === "binary-posing-as-text" || (JSON_RULES.has(rule) && /\.json$/.test(file.path));
  const found = (await scanOne(file)).map((f) =>
    strict(f.rule)
      ? { ...f, severity: "block" as const, message: `${f.message} (a published file must be well-formed)` }
      : f,
  );
  return [...typed, ...found];
}

/** JSON reader errors as finding rules (the scanner uses the same ids). */
const JSON_ERROR_RULES: Record<string, string> = {
  JSON_INVALID: "invalid-json",
  JSON_TOO_DEEP: "json-too-deep",
  JSON_DUPLICATE_KEY: "json-duplicate-key",
};

/** JSON findings of the scan that only warn in a dropped file but block in a published JSON file. */
const JSON_RULES = new Set(["invalid-json", "json-too-deep", "json-duplicate-key", "json-too-large"]);

/** Whether the plan scans `file`'s bytes as they are (not scrubbed content, not a rewritten header). */
function scansWholeFile(
  file: InventoryFile,
  decision: ReturnType<typeof classifyCheckpointFile>,
  mode: "small" | "all" | "none",
): boolean {
  if (decision.action === "drop") return !(mode === "none" || (mode === "small" && file.size > DROPPED_SCAN_LIMIT));
  if (decision.action === "block") return true;
  // A conversion scans its source itself (the planned header as published content, the rest as warnings).
  if (decision.action === "convert") return false;
  return !(decision.scrub === "json-metadata" && file.format === "json") && decision.scrub !== "safetensors-header";
}

/** Files planned at once: enough to overlap the small reads, few enough to bound memory (a file's plan can hold its rewritten header). */
const FILE_PLAN_CONCURRENCY = 4;

/**
 * Maps `items` with at most `limit` calls running at once; results in item order. When calls
 * throw, the error of the first item in order is thrown (after the running calls settle), as a
 * loop over the items would have thrown it.
 */
async function mapInOrder<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  const errors = new Map<number, unknown>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length && errors.size === 0) {
      const i = next++;
      try {
        results[i] = await fn(items[i]!, i);
      } catch (err) {
        errors.set(i, err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (errors.size > 0) throw errors.get(Math.min(...errors.keys()));
  return results;
}
