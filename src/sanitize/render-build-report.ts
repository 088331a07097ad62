import type { Finding } from "../findings.js";
import { isBlocking, renderSafeFinding } from "../findings.js";
import type { SecretPattern } from "./detect-secrets.js";
import { renderSafeText } from "./render-safe-text.js";
import type { SanitizePlan } from "./types.js";

export interface BuildReportExtras {
  /** Release name and version, for the heading. */
  name?: string;
  version?: string;
  /** Findings from other stages (licence, pickle reader, card checks). */
  findings?: Finding[];
  /** Generated files the bundle adds (card, examples, charts): listed as kept. */
  generated?: { path: string; role: string; origin: string }[];
  /** Project patterns (`sanitize.patterns`), redacted from every path and message too. */
  patterns?: SecretPattern[];
  /**
   * Include finding excerpts (default false). The report is published in the bundle, and an
   * excerpt's context can hold sensitive text that no rule recognised (a customer name next to a
   * detected path), so the public report says rule, file and location only; `scan` and
   * `build --dry-run` show excerpts locally.
   */
  excerpts?: boolean;
}

/** Machine-readable shape of report.json. */
export interface BuildReport {
  schema: "model-release/build-report@1";
  name?: string;
  version?: string;
  blocked: boolean;
  summary: {
    kept: number;
    rewritten: number;
    converted: number;
    dropped: number;
    findings: number;
    blocking: number;
    accepted: number;
  };
  kept: { path: string; role: string; overrideReason?: string; origin: string }[];
  rewritten: { path: string; role: string; reason: string; diff: string; dataCopied?: boolean }[];
  /** Pickle weights converted to safetensors: source → target, tensor and byte counts, dtypes. */
  converted: {
    path: string;
    from: string;
    format: string;
    tensors: number;
    parameters: number;
    bytes: number;
    size: number;
    dtypes: string[];
  }[];
  dropped: { path: string; reason: string }[];
  unscanned: { path: string; reason: string }[];
  findings: Finding[];
}

/**
 * Renders the sanitize part of the build report: every kept file, every dropped file with its
 * reason, every rewrite as a diff, every pickle → safetensors conversion, every finding (excerpts are redacted at the source). Pure.
 */
export function renderBuildReport(
  plan: SanitizePlan,
  extras: BuildReportExtras = {},
): { json: string; markdown: string; report: BuildReport } {
  const opts = { patterns: extras.patterns ?? [] };
  // Every string from the checkpoint (names, pointers, messages, reasons, diffs) goes through
  // renderSafeText: the report is published, and a key or file name can be the secret itself (a
  // TensorBoard run's host name in a path goes too: mask-run-hosts.ts).
  const clean = (text: string) => renderSafeText(text, opts);
  const cleanLines = (text: string) => renderSafeText(text, { ...opts, multiline: "document" });
  const findings = [...plan.findings, ...(extras.findings ?? [])].map((f): Finding => {
    const { excerpt, ...rest } = f;
    const safe = renderSafeFinding(rest, opts);
    if (extras.excerpts && excerpt !== undefined) safe.excerpt = clean(excerpt);
    return safe;
  });
  const sortByPath = <T extends { path: string }>(xs: T[]) =>
    [...xs].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const kept: BuildReport["kept"] = sortByPath<BuildReport["kept"][number]>([
    ...plan.publish.map((p) => ({
      path: clean(p.path),
      role: p.role,
      ...(p.overrideReason ? { overrideReason: clean(p.overrideReason) } : {}),
      origin: `checkpoint:${clean(p.path)}`,
    })),
    ...(extras.generated ?? []).map((g) => ({ path: clean(g.path), role: g.role, origin: clean(g.origin) })),
  ]);
  const rewritten = sortByPath(
    plan.rewrites.map((r) => ({
      path: clean(r.path),
      role: r.role,
      reason: clean(r.reason),
      diff: cleanLines(r.diff),
      ...(r.tail ? { dataCopied: !r.tail.inPlace } : {}),
    })),
  );
  const converted: BuildReport["converted"] = sortByPath(
    (plan.conversions ?? []).map((c) => ({
      path: clean(c.path),
      from: clean(c.from),
      format: c.format,
      tensors: c.tensors.length,
      parameters: c.tensors.reduce((a, t) => a + t.shape.reduce((x, y) => x * y, 1), 0),
      bytes: c.tensors.reduce((a, t) => a + t.bytes, 0),
      size: c.size,
      dtypes: [...new Set(c.tensors.map((t) => clean(t.dtype)))].sort(),
    })),
  );
  const blocking = findings.filter(isBlocking).length;
  const report: BuildReport = {
    schema: "model-release/build-report@1",
    ...(extras.name ? { name: extras.name } : {}),
    ...(extras.version ? { version: extras.version } : {}),
    blocked: blocking > 0,
    summary: {
      kept: kept.length,
      rewritten: rewritten.length,
      converted: converted.length,
      dropped: plan.dropped.length,
      findings: findings.length,
      blocking,
      accepted: findings.filter((f) => f.acceptedReason !== undefined).length,
    },
    kept,
    rewritten,
    converted,
    dropped: sortByPath(plan.dropped.map((d) => ({ path: clean(d.path), reason: clean(d.reason) }))),
    unscanned: sortByPath((plan.unscanned ?? []).map((u) => ({ path: clean(u.path), reason: clean(u.reason) }))),
    findings,
  };

  const md: string[] = [];
  md.push(`# Build report${extras.name ? `: ${extras.name}${extras.version ? ` ${extras.version}` : ""}` : ""}`, "");
  md.push(report.blocked ? `**Blocked**: ${blocking} blocking finding(s).` : "**Clean**: no blocking findings.", "");
  md.push(
    `| kept | rewritten | converted | dropped | findings | blocking | accepted |`,
    `|---:|---:|---:|---:|---:|---:|---:|`,
  );
  const s = report.summary;
  md.push(
    `| ${s.kept} | ${s.rewritten} | ${s.converted} | ${s.dropped} | ${s.findings} | ${s.blocking} | ${s.accepted} |`,
    "",
  );
  md.push("## Findings", "");
  if (findings.length === 0) md.push("None.", "");
  else {
    md.push("| severity | rule | file | location | excerpt | message |", "|---|---|---|---|---|---|");
    for (const f of findings) {
      const sev = f.acceptedReason !== undefined ? `accepted (${f.acceptedReason})` : f.severity;
      md.push(
        `| ${cell(sev)} | ${cell(f.rule)} | ${cell(f.file)} | ${cell(locationOf(f))} | ${f.excerpt ? `\`${cell(f.excerpt).replace(/`/g, "'")}\`` : ""} | ${cell(f.message)} |`,
      );
    }
    md.push("");
  }
  md.push("## Kept files", "");
  if (kept.length === 0) md.push("None.", "");
  else {
    md.push("| file | role | note |", "|---|---|---|");
    for (const k of kept)
      md.push(
        `| ${cell(k.path)} | ${k.role} | ${cell(k.overrideReason ? `published by config: ${k.overrideReason}` : k.origin)} |`,
      );
    md.push("");
  }
  md.push("## Rewritten files", "");
  if (rewritten.length === 0) md.push("None.", "");
  for (const r of rewritten) md.push(`### ${r.path}`, "", `${r.reason}.`, "", "```diff", r.diff.trimEnd(), "```", "");
  md.push("## Converted files", "");
  if (converted.length === 0) md.push("None.", "");
  else {
    md.push("Pickle weights read without running the pickle (plain state dicts only) and written as safetensors.", "");
    md.push(
      "| source | published as | format | tensors | parameters | tensor bytes | dtypes |",
      "|---|---|---|---:|---:|---:|---|",
    );
    for (const c of converted)
      md.push(
        `| ${cell(c.from)} | ${cell(c.path)} | ${c.format} | ${c.tensors} | ${c.parameters} | ${c.bytes} | ${c.dtypes.join(", ")} |`,
      );
    md.push("");
  }
  md.push("## Dropped files", "");
  if (report.dropped.length === 0) md.push("None.", "");
  else {
    md.push("| file | reason |", "|---|---|");
    for (const d of report.dropped) md.push(`| ${cell(d.path)} | ${cell(d.reason)} |`);
    md.push("");
  }
  if (report.unscanned.length > 0) {
    md.push("## Not scanned", "", "| file | reason |", "|---|---|");
    for (const u of report.unscanned) md.push(`| ${cell(u.path)} | ${cell(u.reason)} |`);
    md.push("");
  }
  return { json: `${JSON.stringify(report, null, 2)}\n`, markdown: md.join("\n"), report };
}

/** `line 3:14`, `/pointer`, `byte 512`: whichever apply. */
export function locationOf(f: Finding): string {
  const parts: string[] = [];
  if (f.line !== undefined) parts.push(`line ${f.line}${f.column !== undefined ? `:${f.column}` : ""}`);
  if (f.pointer !== undefined) parts.push(f.pointer);
  if (f.offset !== undefined) parts.push(`byte ${f.offset}`);
  return parts.join(", ");
}

function cell(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}
