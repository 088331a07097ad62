import type { ReleaseDiff } from "./plan-release-diff.js";
import { formatInteger } from "./format-integer.js";
import { formatEvalDelta, formatEvalValue } from "../evals/format-eval-value.js";

const fmtInt = formatInteger;
// Backticks in a path would end the code span in the release notes.
const code = (s: string) => `\`${s.replaceAll("`", "'")}\``;

/** True when nothing a reader cares about changed. Pure. */
export function isEmptyReleaseDiff(d: ReleaseDiff): boolean {
  return (
    d.files.added.length + d.files.removed.length + d.files.changed.length === 0 &&
    !d.parameters &&
    d.dtypes.length === 0 &&
    d.evals.every((e) => e.delta === 0) &&
    !d.card
  );
}

/**
 * Renders a diff as Markdown: for `diff` output and the "Changes since" part of release notes.
 * Deterministic. The card diff is a fenced `diff` block.
 */
export function renderReleaseDiffMarkdown(d: ReleaseDiff): string {
  const out: string[] = [`## Changes since ${d.from.version}`, ""];
  if (isEmptyReleaseDiff(d))
    return [...out, `No changes between ${d.from.version} and ${d.to.version}.`, ""].join("\n");
  const f = d.files;
  out.push(
    `Files: ${f.added.length} added, ${f.removed.length} removed, ${f.changed.length} changed, ${f.unchanged} unchanged.`,
    "",
  );
  for (const a of f.added) out.push(`- added ${code(a.path)} (${fmtInt(a.size)} bytes)`);
  for (const r of f.removed) out.push(`- removed ${code(r.path)}`);
  for (const c of f.changed)
    out.push(
      `- changed ${code(c.path)} (${fmtInt(c.oldSize)} → ${fmtInt(c.newSize)} bytes, sha256 ${c.oldSha256.slice(0, 12)}… → ${c.newSha256.slice(0, 12)}…)`,
    );
  if (f.added.length + f.removed.length + f.changed.length > 0) out.push("");
  if (d.parameters)
    out.push(
      `Parameters: ${fmtInt(d.parameters.old)} → ${fmtInt(d.parameters.new)} (${d.parameters.new >= d.parameters.old ? "+" : ""}${fmtInt(d.parameters.new - d.parameters.old)})`,
      "",
    );
  if (d.dtypes.length) {
    out.push("| dtype | parameters before | after |", "|---|---:|---:|");
    for (const t of d.dtypes) out.push(`| ${t.dtype} | ${fmtInt(t.old)} | ${fmtInt(t.new)} |`);
    out.push("");
  }
  const evals = d.evals.filter((e) => e.delta !== 0);
  if (evals.length) {
    out.push(`| benchmark | metric | ${d.from.version} | ${d.to.version} | delta |`, "|---|---|---:|---:|---:|");
    for (const e of evals)
      out.push(
        `| ${e.benchmark} | ${e.metric} | ${formatEvalValue(e.old, e.scale)} | ${formatEvalValue(e.new, e.scale)} | ${formatEvalDelta(e.delta, e.scale)} |`,
      );
    out.push("");
  }
  if (d.card) out.push("Model card:", "", "```diff", d.card.trimEnd(), "```", "");
  return out.join("\n");
}
