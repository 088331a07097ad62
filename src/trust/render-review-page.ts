import { Marked } from "marked";
import { compareKeys } from "../card/compare-keys.js";
import { stringify as stringifyYaml } from "yaml";
import type { Finding } from "../findings.js";
import type { Manifest } from "../bundle/types.js";
import type { ReleaseDiff } from "./plan-release-diff.js";
import { formatInteger } from "./format-integer.js";
import { formatBytes } from "../bundle/format-bytes.js";
import { labelManifestFiles } from "../bundle/count-release-files.js";
import { formatEvalDelta, formatEvalValue } from "../evals/format-eval-value.js";

/** Everything the review page shows; assembled by build from the stages' outputs. */
export interface ReleaseReview {
  name: string;
  version: string;
  tag: string;
  manifest: Pick<Manifest, "files" | "contentDigest" | "hub" | "github" | "overrides">;
  inventory: {
    layout: string;
    architecture?: string;
    parameters: number;
    tensors: number;
    totalBytes: number;
    dtypes: Record<string, { tensors: number; parameters: number; bytes: number }>;
    shards: string[];
  };
  kept: { path: string; role: string; reason?: string }[];
  dropped: { path: string; reason: string }[];
  rewrites: { path: string; reason: string; diff: string }[];
  findings: Finding[];
  /**
   * `images`: bundle files the card shows (e.g. `assets/eval-chart.svg`) as `data:` URIs; the
   * page loads nothing else, so any other image is shown as its alt text and address.
   */
  card?: { markdown: string; metadata: Record<string, unknown>; images?: Record<string, string> };
  evalChartSvg?: string;
  diff?: ReleaseDiff;
  /** How model.sig will be signed (the page is written before signing), or undefined for an unsigned bundle. */
  signing?: { method: "key"; keyHint: string } | { method: "keyless" };
}

const esc = (s: unknown) =>
  String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

const fmtInt = formatInteger;
const fmtBytes = formatBytes;

/** GitHub's and the Hub's alert callouts: a blockquote whose first line is `[!KIND]`. */
const CALLOUTS = { NOTE: "Note", TIP: "Tip", IMPORTANT: "Important", WARNING: "Warning", CAUTION: "Caution" } as const;
const CALLOUT_START = /^<p>\[!(NOTE|TIP|IMPORTANT|WARNING|CAUTION)\][ \t]*(?:\n|<br>)?/;

/** A heading's anchor in the page: `card-` plus GitHub's slug, so card links and the TOC agree. */
function slug(text: string): string {
  return `card-${text
    .toLowerCase()
    .replace(/<[^>]*>/g, "")
    .replace(/&[a-z#0-9]+;/g, "")
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .trim()
    .replace(/\s/g, "-")}`;
}

// Raw HTML in the card is shown as text: the page must stay inert whatever the card says.
// Images: the CSP allows only data: URIs, so a bundle image is embedded and anything else (a
// remote badge) becomes text instead of a blocked load and a console error.
// Headings get anchors (collected in `toc` for the page's table of contents) and alert
// blockquotes render as callouts, as the Hub and GitHub show them.
function cardMarkdown(images: Record<string, string>, toc: { id: string; text: string; depth: number }[]): Marked {
  const seen = new Map<string, number>();
  return new Marked({
    gfm: true,
    renderer: {
      heading({ tokens, depth }) {
        const inner = this.parser.parseInline(tokens);
        const base = slug(inner);
        const n = seen.get(base) ?? 0;
        seen.set(base, n + 1);
        const id = n === 0 ? base : `${base}-${n}`;
        toc.push({ id, text: inner.replace(/<[^>]*>/g, ""), depth });
        return `<h${depth} id="${esc(id)}">${inner}</h${depth}>\n`;
      },
      blockquote({ tokens }) {
        const body = this.parser.parse(tokens);
        const m = CALLOUT_START.exec(body);
        if (!m) return `<blockquote>\n${body}</blockquote>\n`;
        const kind = m[1] as keyof typeof CALLOUTS;
        const rest = body.slice(m[0].length).replace(/^<\/p>\n?/, "");
        return `<div class="callout callout-${kind.toLowerCase()}" role="note"><p class="callout-title">${CALLOUTS[kind]}</p>${rest.startsWith("<") ? rest : `<p>${rest}`}</div>\n`;
      },
      html: ({ text }) => esc(text),
      image: ({ href, title, text }) => {
        const src = images[href.replace(/^\.\//, "")];
        if (src?.startsWith("data:image/"))
          return `<img src="${esc(src)}" alt="${esc(text)}"${title ? ` title="${esc(title)}"` : ""}>`;
        return `<span class="muted">[image: ${esc(text)} (${esc(href)}), not loaded]</span>`;
      },
    },
  });
}

/** An inline SVG is embedded only when it has no script or event handler (it is our own chart). */
function safeSvg(svg: string): string {
  if (!/^\s*(<\?xml[^>]*>\s*)?<svg[\s>]/i.test(svg) || /<script|\son\w+\s*=|javascript:|<foreignObject/i.test(svg)) {
    return `<p class="muted">chart omitted: not a plain SVG</p>`;
  }
  return svg.replace(/^\s*<\?xml[^>]*>\s*/i, "");
}

/** A diff longer than this is collapsed: the page should be scannable, and one click opens it. */
const LONG_BLOCK_LINES = 30;

function table(head: string[], rows: string[][], cls = ""): string {
  if (rows.length === 0) return `<p class="muted">none</p>`;
  // Key-value tables have no column headings: an empty header row would only draw a blank bar.
  const thead = head.some((h) => h !== "")
    ? `<thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join("")}</tr></thead>`
    : "";
  return `<table${cls ? ` class="${cls}"` : ""}>${thead}<tbody>${rows
    .map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`)
    .join("")}</tbody></table>`;
}

function renderDiffBlock(diff: string): string {
  const lines = diff.split("\n").map((l) => {
    const cls =
      l.startsWith("+") && !l.startsWith("+++")
        ? "add"
        : l.startsWith("-") && !l.startsWith("---")
          ? "del"
          : l.startsWith("@@")
            ? "hunk"
            : "";
    return `<span${cls ? ` class="${cls}"` : ""}>${esc(l)}</span>`;
  });
  return `<pre class="diff">${lines.join("\n")}</pre>`;
}

/**
 * Renders the release review page (`report.html`): one self-contained HTML file, no network, no
 * script, showing everything a maintainer approves before publishing. Pure and deterministic.
 */
export function renderReviewPage(r: ReleaseReview): string {
  const blocking = r.findings.filter((f) => f.severity === "block" && !f.acceptedReason);
  const status =
    blocking.length > 0
      ? `<span class="bad">blocked: ${blocking.length} finding${blocking.length === 1 ? "" : "s"}</span>`
      : `<span class="good">ready to publish</span>`;
  const inv = r.inventory;
  const sections: string[] = [];

  sections.push(
    `<section id="summary"><h2>Summary</h2>${table(
      ["", ""],
      [
        ["Release", `${esc(r.name)} <code>${esc(r.version)}</code> (tag <code>${esc(r.tag)}</code>)`],
        ["Status", status],
        ["Hub repo", `<code>${esc(r.manifest.hub.repo)}</code>`],
        ...(r.manifest.github ? [["GitHub repo", `<code>${esc(r.manifest.github.repo)}</code>`]] : []),
        // The page is published too, but cannot list its own digest: this is the digest of the files below.
        [
          "Content digest",
          `<code>${esc(r.manifest.contentDigest)}</code> <span class="muted">(of the files listed here)</span>`,
        ],
        [
          "Signature",
          r.signing?.method === "key"
            ? `<code>model.sig</code>, key <code class="digest">${esc(r.signing.keyHint)}</code> (public key <code>model.pub</code>)`
            : r.signing?.method === "keyless"
              ? `<code>model.sig</code>, Sigstore keyless (OIDC identity, Rekor transparency log)`
              : `<span class="warn">not signed</span>`,
        ],
        // The page is in the manifest too, but cannot list itself: the table shows the others.
        [
          "Files",
          `${labelManifestFiles(r.manifest.files.length + 1)} (this page included), ${r.dropped.length} dropped, ${r.rewrites.length} rewritten`,
        ],
      ],
      "kv",
    )}</section>`,
  );

  sections.push(
    `<section id="inventory"><h2>Inventory</h2>${table(
      ["", ""],
      [
        ["Layout", esc(inv.layout)],
        ["Architecture", esc(inv.architecture ?? "unknown")],
        ["Parameters", fmtInt(inv.parameters)],
        ["Tensors", fmtInt(inv.tensors)],
        ["Size", fmtBytes(inv.totalBytes)],
        ["Shards", inv.shards.length ? inv.shards.map((s) => `<code>${esc(s)}</code>`).join("<br>") : "none"],
      ],
      "kv",
    )}<h3>Parameters per dtype</h3>${table(
      ["dtype", "tensors", "parameters", "bytes"],
      Object.entries(inv.dtypes)
        .sort(([a], [b]) => compareKeys(a, b))
        .map(([d, s]) => [esc(d), fmtInt(s.tensors), fmtInt(s.parameters), fmtBytes(s.bytes)]),
    )}</section>`,
  );

  const overrides = new Map(r.manifest.overrides.map((o) => [o.path, o.reason]));
  sections.push(
    `<section id="files"><h2>Files</h2><h3>Published: ${labelManifestFiles(r.manifest.files.length + 1)} (this page and the ${r.manifest.files.length} below)</h3>${table(
      ["path", "role", "size", "sha256", "note"],
      r.manifest.files.map((f) => [
        `<code>${esc(f.path)}</code>`,
        esc(f.role),
        fmtBytes(f.size),
        `<code class="digest">${esc(f.sha256)}</code>`,
        esc(overrides.get(f.path) ?? f.origin),
      ]),
    )}<h3>Dropped (${r.dropped.length})</h3>${table(
      ["path", "reason"],
      r.dropped.map((d) => [`<code>${esc(d.path)}</code>`, esc(d.reason)]),
    )}<h3>Rewritten (${r.rewrites.length})</h3>${
      r.rewrites.length === 0
        ? `<p class="muted">none</p>`
        : r.rewrites
            .map(
              (w) =>
                `<details${w.diff.split("\n").length <= LONG_BLOCK_LINES ? " open" : ""}><summary><code>${esc(w.path)}</code>: ${esc(w.reason)}</summary>${renderDiffBlock(w.diff)}</details>`,
            )
            .join("")
    }</section>`,
  );

  sections.push(
    `<section id="findings"><h2>Findings (${r.findings.length})</h2>${table(
      ["severity", "rule", "where", "excerpt", "message"],
      r.findings.map((f) => [
        f.acceptedReason
          ? `<span class="muted">accepted</span>`
          : f.severity === "block"
            ? `<span class="bad">block</span>`
            : `<span class="warn">warn</span>`,
        `<code>${esc(f.rule)}</code>`,
        `<code>${esc(f.file)}${f.line ? `:${f.line}` : ""}${f.pointer ? ` ${esc(f.pointer)}` : ""}${f.offset !== undefined ? ` @${f.offset}` : ""}</code>`,
        f.excerpt ? `<code>${esc(f.excerpt)}</code>` : "",
        esc(f.message) + (f.acceptedReason ? `<br><span class="muted">accepted: ${esc(f.acceptedReason)}</span>` : ""),
      ]),
    )}</section>`,
  );

  if (r.evalChartSvg)
    sections.push(`<section id="evaluation"><h2>Evaluation</h2><figure>${safeSvg(r.evalChartSvg)}</figure></section>`);

  const cardToc: { id: string; text: string; depth: number }[] = [];
  if (r.card) {
    const yaml = stringifyYaml(r.card.metadata);
    const rendered = cardMarkdown(r.card.images ?? {}, cardToc).parse(
      r.card.markdown.replace(/^---\n[\s\S]*?\n---\n/, ""),
      { async: false },
    );
    // The metadata YAML is long and for machines: collapsed, one click away.
    sections.push(
      `<section id="card"><h2>Model card</h2><details id="card-metadata"><summary>Metadata (YAML front matter, ${yaml.split("\n").length - 1} lines)</summary><pre>${esc(yaml)}</pre></details><h3>Rendered</h3><article class="card">${rendered}</article></section>`,
    );
  }

  if (r.diff) {
    const d = r.diff;
    sections.push(
      `<section id="changes"><h2>Changes since ${esc(d.from.version)}</h2>${table(
        ["change", "path", "detail"],
        [
          ...d.files.added.map((f) => ["added", `<code>${esc(f.path)}</code>`, fmtBytes(f.size)]),
          ...d.files.removed.map((f) => ["removed", `<code>${esc(f.path)}</code>`, fmtBytes(f.size)]),
          ...d.files.changed.map((f) => [
            "changed",
            `<code>${esc(f.path)}</code>`,
            `${fmtBytes(f.oldSize)} → ${fmtBytes(f.newSize)}`,
          ]),
        ],
      )}${d.parameters ? `<p>Parameters: ${fmtInt(d.parameters.old)} → ${fmtInt(d.parameters.new)}</p>` : ""}${
        d.evals.length
          ? `<h3>Evaluation deltas</h3>${table(
              ["benchmark", "metric", d.from.version, d.to.version, "delta"],
              d.evals.map((e) => [
                esc(e.benchmark),
                esc(e.metric),
                formatEvalValue(e.old, e.scale),
                formatEvalValue(e.new, e.scale),
                formatEvalDelta(e.delta, e.scale),
              ]),
            )}`
          : ""
      }${d.card ? `<h3>Model card</h3><details id="changes-card"><summary>Diff of README.md, ${d.card.split("\n").length} lines</summary>${renderDiffBlock(d.card)}</details>` : ""}</section>`,
    );
  }

  const nav = [
    "summary",
    "inventory",
    "files",
    "findings",
    ...(r.evalChartSvg ? ["evaluation"] : []),
    ...(r.card ? ["card"] : []),
    ...(r.diff ? ["changes"] : []),
  ];
  const titles: Record<string, string> = {
    summary: "Summary",
    inventory: "Inventory",
    files: "Files",
    findings: `Findings (${r.findings.length})`,
    evaluation: "Evaluation",
    card: "Model card",
    changes: r.diff ? `Changes since ${esc(r.diff.from.version)}` : "Changes",
  };
  // The table of contents: the page's sections, and the card's own sections under "Model card".
  const toc = `<details id="toc" open><summary>Contents</summary><ol>${nav
    .map(
      (id) =>
        `<li><a href="#${id}">${titles[id]}</a>${
          id === "card" && cardToc.some((h) => h.depth === 2)
            ? `<ol>${cardToc
                .filter((h) => h.depth === 2)
                .map((h) => `<li><a href="#${esc(h.id)}">${esc(h.text)}</a></li>`)
                .join("")}</ol>`
            : ""
        }</li>`,
    )
    .join("")}</ol></details>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>Release review: ${esc(r.name)} ${esc(r.version)}</title>
<style>
body{font:14px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1f2328;background:#fff}
header{background:#0d1117;color:#e6edf3;padding:16px 24px}header h1{margin:0;font-size:20px}
nav{padding:8px 24px;border-bottom:1px solid #d0d7de;position:sticky;top:0;background:#f6f8fa}nav a{margin-right:16px;color:#0969da;text-decoration:none}
main{padding:0 24px 48px;max-width:1200px}section{margin-top:24px}h2{border-bottom:1px solid #d0d7de;padding-bottom:4px}
table{border-collapse:collapse;margin:8px 0;width:100%}th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f6f8fa}
table.kv td:first-child{width:180px;font-weight:600}code{font:12px ui-monospace,monospace}code.digest{word-break:break-all}
pre{background:#f6f8fa;padding:8px;overflow:auto}pre.diff span.add{color:#116329;background:#dafbe1}pre.diff span.del{color:#82071e;background:#ffebe9}pre.diff span.hunk{color:#8250df}
.good{color:#116329;font-weight:600}.bad{color:#cf222e;font-weight:600}.warn{color:#9a6700}.muted{color:#656d76}
article.card{border:1px solid #d0d7de;padding:0 16px;border-radius:6px}details>summary{cursor:pointer;color:#0969da}#toc{margin-top:16px}#toc ol{margin:4px 0}
.callout{border-left:4px solid;padding:4px 12px;margin:8px 0;border-radius:0 6px 6px 0}.callout-title{font-weight:600;margin:4px 0}
.callout-note{border-color:#0969da;background:#ddf4ff}.callout-tip{border-color:#1a7f37;background:#dafbe1}.callout-important{border-color:#8250df;background:#fbefff}.callout-warning{border-color:#9a6700;background:#fff8c5}.callout-caution{border-color:#cf222e;background:#ffebe9}figure{margin:0}figure svg{max-width:100%;height:auto}
</style>
</head>
<body>
<header><h1>Release review: ${esc(r.name)} ${esc(r.version)}</h1></header>
<nav>${nav.map((id) => `<a href="#${id}">${id}</a>`).join("")}</nav>
<main>
${toc}
${sections.join("\n")}
</main>
</body>
</html>
`;
}
