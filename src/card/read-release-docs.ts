import { readFile } from "node:fs/promises";
import type { BundleInput } from "../bundle/types.js";
import type { Inventory } from "../checkpoint/types.js";
import { blockedError } from "../errors.js";
import { isBlocking, type Finding } from "../findings.js";
import { readEvalReport } from "../evals/read-eval-report.js";
import type { EvalReport } from "../evals/types.js";
import type { CheckpointModelConfig } from "./card-context.js";
import { renderReleaseDocs, type RenderReleaseDocsParams } from "./render-release-docs.js";
import { scanGeneratedDocs, scanReleaseIdentifiers } from "./scan-generated-docs.js";
import { stripImageMetadata } from "../sanitize/strip-image-metadata.js";

/** A config.json larger than this is not a model config; the card then goes without its facts. */
const MAX_MODEL_CONFIG_BYTES = 1 << 20;

/**
 * The few config.json fields the card uses (saving `transformers` version, attention heads,
 * context). Missing, oversized or invalid files give `undefined`: the sanitizer reports them.
 */
export async function readCheckpointModelConfig(inventory: Inventory): Promise<CheckpointModelConfig | undefined> {
  const f = inventory.files.find((x) => x.path === "config.json");
  if (!f || f.size > MAX_MODEL_CONFIG_BYTES) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(f.absPath, "utf8"));
  } catch {
    return undefined;
  }
  if (typeof raw !== "object" || raw === null) return undefined;
  const o = raw as Record<string, unknown>;
  // Multimodal configs nest the language model's fields.
  const text = (typeof o.text_config === "object" && o.text_config !== null ? o.text_config : {}) as Record<
    string,
    unknown
  >;
  const num = (k: string) =>
    typeof o[k] === "number" ? (o[k] as number) : typeof text[k] === "number" ? (text[k] as number) : undefined;
  const out: CheckpointModelConfig = {};
  if (typeof o.transformers_version === "string") out.transformers_version = o.transformers_version;
  const heads = num("num_attention_heads");
  if (heads !== undefined) out.num_attention_heads = heads;
  const ctx = num("max_position_embeddings");
  if (ctx !== undefined) out.max_position_embeddings = ctx;
  return out;
}

/**
 * Reads the evaluation files the config names, then renders the release's documents: the one
 * call `planBuild` makes. The evaluation report is returned too, for `--json` output.
 *
 * @throws ReleaseError from `readEvalReport` (`EVAL_NOT_FOUND`, `EVAL_INVALID`, `EVAL_DUPLICATE`).
 */
export async function readReleaseDocs(
  params: Omit<RenderReleaseDocsParams, "evals"> & { allowRegression?: boolean; previousVersion?: string },
): Promise<{ files: BundleInput[]; findings: Finding[]; evals?: EvalReport }> {
  const { allowRegression, previousVersion, ...rest } = params;
  const evals = await readEvalReport({
    config: params.config,
    baseDir: params.baseDir,
    version: params.version,
    allowRegression,
    previousVersion,
  });
  const modelConfig = params.modelConfig ?? (await readCheckpointModelConfig(params.inventory));
  const { files, findings } = renderReleaseDocs({
    ...rest,
    evals,
    modelConfig,
  });
  await stripExampleImage(files, findings);
  const c = params.config;
  const ids = [
    { field: "name", value: c.name },
    { field: "hub.repo", value: c.hub.repo },
    { field: "github.repo", value: c.github?.repo },
  ];
  return {
    files,
    findings: [
      ...findings,
      ...scanGeneratedDocs(files, c.sanitize),
      ...scanReleaseIdentifiers(ids, c.sanitize, "release config"),
    ],
    evals,
  };
}

/**
 * Refuses to go on when the documents have blocking findings (placeholders, empty sections, a
 * licence the base forbids, a regression without `--allow-regression`), naming each.
 *
 * @throws ReleaseError `RELEASE_DOCS_BLOCKED` (blocked) with every blocking finding in `details`.
 */
export function assertReleaseDocsPublishable(findings: Finding[]): void {
  const blocking = findings.filter(isBlocking);
  if (blocking.length === 0) return;
  const lines = blocking.map(
    (f) =>
      `  ${f.file}${f.line !== undefined ? `:${f.line}` : ""}${f.pointer ? ` ${f.pointer}` : ""} [${f.rule}] ${f.message}`,
  );
  const rules = new Set(blocking.map((f) => f.rule));
  const hints = [
    ...(rules.has("eval-regression") ? ["fix the regression, or pass --allow-regression (the card will say so)"] : []),
    ...([...rules].some((r) => r.startsWith("licence-"))
      ? ["set license (and the hub repo name) as the base model's licence requires"]
      : []),
    ...([...rules].some((r) => r.startsWith("card-"))
      ? ["fill the card section of the release config; `model-release schema` lists its fields"]
      : []),
  ];
  const first = blocking[0]!;
  throw blockedError(
    "RELEASE_DOCS_BLOCKED",
    `the model card and release documents cannot be published (${blocking.length} problem${blocking.length === 1 ? "" : "s"}):\n${lines.join("\n")}`,
    {
      hint: hints.join("; "),
      location: { file: first.file, line: first.line },
      details: { findings: blocking },
    },
  );
}

/**
 * The example image of a vision release, staged without its metadata (`stripImageMetadata`:
 * EXIF GPS and camera serials, XMP and IPTC authors, PNG text): written as content instead of
 * linked. What was removed is said by kind, never by value; a file that is not a PNG or JPEG blocks.
 */
async function stripExampleImage(files: BundleInput[], findings: Finding[]): Promise<void> {
  const i = files.findIndex((f) => f.origin.startsWith("generated:example-image") && f.source.kind === "file");
  if (i < 0) return;
  const f = files[i]!;
  if (f.source.kind !== "file") return;
  let bytes: Uint8Array;
  try {
    bytes = await readFile(f.source.absPath);
  } catch {
    findings.push({
      rule: "card-example-image",
      severity: "block",
      file: f.path,
      message: "card.example_image cannot be read: check the path (relative to the release config) and its permissions",
    });
    return;
  }
  const stripped = stripImageMetadata(bytes);
  if (!stripped) {
    findings.push({
      rule: "card-example-image",
      severity: "block",
      file: f.path,
      message:
        "card.example_image is not a well-formed PNG or JPEG; convert it to one (its metadata is removed before it ships)",
    });
    return;
  }
  files[i] = { ...f, source: { kind: "content", content: stripped.bytes } };
  if (stripped.removed.length > 0)
    findings.push({
      rule: "image-metadata-removed",
      severity: "warn",
      file: f.path,
      message: `metadata removed from the example image before it ships: ${stripped.removed.join(", ")}`,
    });
}
