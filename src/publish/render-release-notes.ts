/** One row of the evaluation table in the release notes. */
export interface EvalRow {
  benchmark: string;
  metric: string;
  value: number;
  base?: number;
  previous?: number;
}

/** The public Hub: `hf` needs no HF_ENDPOINT for it. */
const DEFAULT_HUB_URL = "https://huggingface.co";

/** Longest SHA256SUMS shown inline; longer lists stay in the SHA256SUMS asset. */
const MAX_INLINE_CHECKSUM_LINES = 40;

/**
 * Renders the GitHub release notes: the card's summary, the evaluation table (with base and
 * previous release where known), the Hub link pinned to the tag (never `main`, which moves),
 * how to pull and verify, and the checksums. Pure: same input, same Markdown.
 */
export function renderReleaseNotes(params: {
  name: string;
  version: string;
  tag: string;
  hubUrl: string;
  hubRepo: string;
  repoType: "model" | "dataset";
  contentDigest: string;
  summary?: string;
  evals: readonly EvalRow[];
  previousVersion?: string;
  sha256sums: string;
  /** "Changes since" Markdown from the build's diff against the previous release (`renderReleaseDiffMarkdown`). */
  changes?: string;
  /** Commands that verify model.sig (`renderVerifyCommands`), when the release is signed. */
  verifyCommands?: string[];
}): string {
  const prefix = params.repoType === "dataset" ? "datasets/" : "";
  const hubLink = `${params.hubUrl}/${prefix}${params.hubRepo}/tree/${encodeURIComponent(params.tag)}`;
  const out: string[] = [`# ${params.name} ${params.version}`, ""];
  if (params.summary?.trim()) out.push(params.summary.trim(), "");
  out.push(`**Weights:** [${params.hubRepo} @ ${params.tag}](${hubLink})`, "");

  if (params.evals.length > 0) {
    const hasBase = params.evals.some((r) => r.base !== undefined);
    const hasPrev = params.evals.some((r) => r.previous !== undefined);
    const head = ["Benchmark", "Metric", params.version];
    if (hasPrev) head.push(params.previousVersion ?? "previous");
    if (hasBase) head.push("base model");
    out.push(
      "## Evaluation",
      "",
      `| ${head.join(" | ")} |`,
      `|${head.map((_, i) => (i < 2 ? "---" : "---:")).join("|")}|`,
    );
    for (const r of params.evals) {
      const cells = [escapeCell(r.benchmark), escapeCell(r.metric), formatScore(r.value)];
      if (hasPrev)
        cells.push(
          r.previous === undefined ? "–" : `${formatScore(r.previous)} (${formatDelta(r.value - r.previous)})`,
        );
      if (hasBase) cells.push(r.base === undefined ? "–" : `${formatScore(r.base)} (${formatDelta(r.value - r.base)})`);
      out.push(`| ${cells.join(" | ")} |`);
    }
    out.push("");
  }

  if (params.changes?.trim()) out.push(params.changes.trim(), "");

  // A reader of a public release has neither this repository nor an npm package (model-release is
  // not on the npm registry), so the first commands need only public tools: the Hub's own CLI and
  // coreutils. model-release is offered after them, in the form that works from a clone of it.
  const dir = `./${params.hubRepo.split("/")[1] ?? params.name}`;
  const endpoint = params.hubUrl.replace(/\/+$/, "") === DEFAULT_HUB_URL ? "" : `HF_ENDPOINT=${params.hubUrl} `;
  const repoType = params.repoType === "dataset" ? " --repo-type dataset" : "";
  out.push(
    "## Get and verify",
    "",
    "```sh",
    "pip install -U huggingface_hub   # the Hugging Face CLI, hf",
    `${endpoint}hf download ${params.hubRepo}${repoType} --revision ${params.tag} --local-dir ${dir}`,
    `(cd ${dir} && sha256sum -c SHA256SUMS)   # every file against the release's checksums`,
    "```",
    "",
    "Or with model-release, which downloads exactly this tag and verifies every file on arrival. It is not on the npm registry: in a clone of its repository run `npm ci && npm run build`, then:",
    "",
    "```sh",
    `${endpoint}node dist/cli/bin.js pull ${params.hubRepo}@${params.version}${params.repoType === "dataset" ? " --dataset" : ""} --to ${dir}`,
    "```",
    "",
    `Content digest: \`${params.contentDigest}\``,
    "",
  );
  if (params.verifyCommands?.length) {
    out.push(
      "Check the signature (`model.sig`, OpenSSF model signing format) with the reference verifier (`pip install model-signing`) or with model-release:",
      "",
      "```sh",
      ...params.verifyCommands,
      "```",
      "",
    );
  }
  const sums = params.sha256sums.trim().split("\n").filter(Boolean);
  out.push("## Checksums", "");
  if (sums.length <= MAX_INLINE_CHECKSUM_LINES) out.push("```", ...sums, "```");
  else out.push(`${sums.length} files: see the \`SHA256SUMS\` asset.`);
  out.push("");
  return out.join("\n");
}

function formatScore(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(4).replace(/0+$/, "").replace(/\.$/, "");
}

function formatDelta(d: number): string {
  const s = formatScore(Math.abs(d));
  return d > 0 ? `+${s}` : d < 0 ? `−${s}` : "±0";
}

function escapeCell(s: string): string {
  return s.replaceAll("|", "\\|").replaceAll("\n", " ");
}

/**
 * Reads evaluation rows from the bundle's eval-results.json: the evals stage's
 * `model-release/eval-results@1` (release run joined with base and previous), or simpler shapes
 * (an array of rows, `{ rows: [...] }`, `{ results: [...] }`). Rows missing a
 * benchmark, metric or numeric value are skipped: the notes are a summary, the file is the record.
 */
export function parseEvalRows(json: unknown): EvalRow[] {
  // The evals stage's `model-release/eval-results@1`: runs.release/base/previous, each with metrics.
  const runs = (json as { runs?: Record<string, { metrics?: unknown }> } | null)?.runs;
  if (runs && typeof runs === "object" && Array.isArray(runs.release?.metrics)) {
    const key = (r: EvalRow) => `${r.benchmark}\u0000${r.metric}`;
    const lookup = (run: { metrics?: unknown } | undefined) =>
      new Map(parseEvalRows(run?.metrics ?? []).map((r) => [key(r), r.value]));
    const base = lookup(runs.base);
    const previous = lookup(runs.previous);
    return parseEvalRows(runs.release.metrics).map((r) => {
      const b = base.get(key(r));
      const p = previous.get(key(r));
      return { ...r, ...(b !== undefined ? { base: b } : {}), ...(p !== undefined ? { previous: p } : {}) };
    });
  }
  const list = Array.isArray(json)
    ? json
    : typeof json === "object" && json !== null
      ? ((json as { rows?: unknown }).rows ?? (json as { results?: unknown }).results)
      : undefined;
  if (!Array.isArray(list)) return [];
  const rows: EvalRow[] = [];
  for (const item of list) {
    if (typeof item !== "object" || item === null) continue;
    const r = item as Record<string, unknown>;
    const benchmark = r.benchmark ?? r.task ?? r.name;
    const metric = r.metric ?? "score";
    const value = r.value ?? r.score;
    if (typeof benchmark !== "string" || typeof metric !== "string" || typeof value !== "number") continue;
    rows.push({
      benchmark,
      metric,
      value,
      ...(typeof r.base === "number" ? { base: r.base } : {}),
      ...(typeof r.previous === "number" ? { previous: r.previous } : {}),
    });
  }
  return rows;
}

/** The card's summary: the first paragraph of prose after the YAML front matter and headings. */
export function parseCardSummary(card: string): string | undefined {
  const body = card.replace(/^---\n[\s\S]*?\n---\n/, "");
  for (const block of body.split(/\n\s*\n/)) {
    const text = block.trim();
    if (
      !text ||
      text.startsWith("#") ||
      text.startsWith("<") ||
      text.startsWith("|") ||
      text.startsWith("```") ||
      text.startsWith("!")
    )
      continue;
    return text;
  }
  return undefined;
}
