import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { buildRelease } from "../../src/bundle/build-release.js";
import { parseCardFrontMatter, parseEvalResultsSnapshot } from "../../src/trust/plan-bundle-snapshot.js";
import { planReleaseDiff } from "../../src/trust/plan-release-diff.js";
import { readBundleSnapshot } from "../../src/trust/read-bundle-snapshot.js";
import { isEmptyReleaseDiff, renderReleaseDiffMarkdown } from "../../src/trust/render-release-diff.js";

const REPO = path.resolve(import.meta.dirname, "..", "..");
const CONFIG = path.join(REPO, "release-configs", "demo.yaml");
const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));
async function tmp(): Promise<string> {
  const d = await mkdtemp(path.join(os.tmpdir(), "mr-review-"));
  dirs.push(d);
  return d;
}

describe("bundle snapshots", () => {
  it("reads eval-results.json comparison rows, keeping filter and slice apart", () => {
    const text = JSON.stringify({
      schema: "model-release/eval-results@1",
      comparison: [
        {
          key: "gsm8k/exact_match/strict-match",
          benchmark: "gsm8k",
          metric: "exact_match",
          filter: "strict-match",
          value: 0.5,
        },
        { key: "defects/f1@porosity", benchmark: "defects", metric: "f1", slice: "porosity", value: 0.9 },
        { benchmark: "broken", metric: "acc" },
      ],
    });
    expect(parseEvalResultsSnapshot(text)).toEqual([
      { benchmark: "gsm8k", metric: "exact_match (strict-match)", value: 0.5 },
      { benchmark: "defects", metric: "f1@porosity", value: 0.9 },
    ]);
    expect(parseEvalResultsSnapshot("{not json")).toBeUndefined();
    expect(parseEvalResultsSnapshot(JSON.stringify({ schema: "other", comparison: [] }))).toBeUndefined();
  });

  it("splits a card's front matter, and survives broken YAML", () => {
    expect(parseCardFrontMatter("---\nlicense: mit\ntags: [a]\n---\n# Hi\n")).toEqual({
      metadata: { license: "mit", tags: ["a"] },
      body: "# Hi\n",
    });
    expect(parseCardFrontMatter("---\n: : [\n---\n# Hi\n")).toEqual({ metadata: {}, body: "# Hi\n" });
    expect(parseCardFrontMatter("# no front matter\n")).toEqual({ metadata: {}, body: "# no front matter\n" });
  });
});

describe("diff between two built releases", () => {
  it("builds 1.0.0, then 1.1.0 against it: the page's changes section and the diff agree", async () => {
    const base = await tmp();
    const v1 = path.join(base, "v1");
    const v2 = path.join(base, "v2");
    await buildRelease({ configFile: CONFIG, version: "1.0.0", outDir: v1 });
    const previous = await readBundleSnapshot({ dir: v1 });
    expect(previous).toMatchObject({ version: "1.0.0", parameters: 147776 });
    expect(previous.manifest.files.some((f) => f.path === "report.html")).toBe(false);
    expect(previous.evals?.length).toBeGreaterThan(0);
    expect(previous.card).toContain("robot-coder-demo 1.0.0");

    const key = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey.export({
      type: "pkcs8",
      format: "pem",
    }) as string;
    const r = await buildRelease({
      configFile: CONFIG,
      version: "1.1.0",
      outDir: v2,
      previous,
      signing: { kind: "key", privateKeyPem: key },
    });
    expect(r.diff?.from.version).toBe("1.0.0");
    expect(r.diff?.files.changed.map((f) => f.path)).toContain("README.md");
    expect(r.diff?.files.changed.map((f) => f.path)).not.toContain("model-00001-of-00002.safetensors");
    expect(r.diff?.card).toContain("+# robot-coder-demo 1.1.0");
    const html = await readFile(path.join(v2, "report.html"), "utf8");
    expect(html).toContain('<section id="changes"><h2>Changes since 1.0.0</h2>');
    expect(html).toContain(r.signature?.keyHint as string);

    // The same comparison from the two folders, as `model-release diff` makes it.
    const d = planReleaseDiff(previous, await readBundleSnapshot({ dir: v2 }));
    expect(d).toEqual(r.diff);
    const md = renderReleaseDiffMarkdown(d);
    expect(md).toContain("## Changes since 1.0.0");
    expect(md).toContain("- changed `README.md`");
    expect(md).toContain("```diff");
    expect(isEmptyReleaseDiff(planReleaseDiff(previous, previous))).toBe(true);
    expect(renderReleaseDiffMarkdown(planReleaseDiff(previous, previous))).toBe(
      "## Changes since 1.0.0\n\nNo changes between 1.0.0 and 1.0.0.\n",
    );
  });
});

describe("renderReviewPage stays inert", () => {
  it("shows raw HTML in the card and file names as text, and drops a chart with script", async () => {
    const { renderReviewPage } = await import("../../src/trust/render-review-page.js");
    const html = renderReviewPage({
      name: "m<x>",
      version: "1.0.0",
      tag: "v1.0.0",
      manifest: {
        files: [
          {
            path: "<img src=x onerror=alert(1)>.json",
            size: 1,
            sha256: "a".repeat(64),
            role: "config",
            origin: "checkpoint",
          },
        ],
        contentDigest: "b".repeat(64),
        hub: { repo: "o/m", repoType: "model" },
        overrides: [],
      },
      inventory: {
        layout: "hf",
        parameters: 10,
        tensors: 1,
        totalBytes: 20,
        dtypes: { F32: { tensors: 1, parameters: 10, bytes: 40 } },
        shards: ["model.safetensors"],
      },
      kept: [],
      dropped: [{ path: "optimizer.pt", reason: "pickle" }],
      rewrites: [{ path: "config.json", reason: "scrubbed", diff: "--- a\n+++ b\n-<script>x</script>\n+ok" }],
      findings: [
        { rule: "hf-token", severity: "block", file: "config.json", line: 3, message: "token <b>", excerpt: "hf_****" },
      ],
      card: { markdown: "# Card\n<script>alert(1)</script>\n[x](javascript:alert(1))\n", metadata: { license: "mit" } },
      evalChartSvg: '<svg onload="alert(1)"></svg>',
    });
    // Only our own tags: nothing from the inputs becomes an element or an attribute.
    expect(html).not.toMatch(/<script|<img|<svg onload/i);
    expect(html).toContain("<code>&lt;img src=x onerror=alert(1)&gt;.json</code>");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("chart omitted: not a plain SVG");
    expect(html).toContain("blocked: 1 finding");
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    );
    expect(html).toContain('<span class="warn">not signed</span>');
  });
});

describe("renderReviewPage reads like the Hub", () => {
  it("renders alert callouts, gives the card's sections anchors in a table of contents, and collapses long blocks", async () => {
    const { renderReviewPage } = await import("../../src/trust/render-review-page.js");
    const html = renderReviewPage({
      name: "m",
      version: "1.1.0",
      tag: "v1.1.0",
      manifest: { files: [], contentDigest: "b".repeat(64), hub: { repo: "o/m", repoType: "model" }, overrides: [] },
      inventory: { layout: "hf", parameters: 10, tensors: 1, totalBytes: 40, dtypes: {}, shards: [] },
      kept: [],
      dropped: [],
      rewrites: [],
      findings: [],
      card: {
        markdown:
          "# m 1.1.0\n\n> [!WARNING]\n> Do not use for <b>safety</b>.\n\n## Uses\n\n> [!NOTE]\n> Short.\n\n> a plain quote\n\n## Uses\n",
        metadata: { license: "mit" },
      },
      diff: {
        from: { version: "1.0.0" },
        to: { version: "1.1.0" },
        files: { added: [], removed: [], changed: [], unchanged: 0 },
        dtypes: [],
        evals: [
          { benchmark: "gsm8k", metric: "exact_match", old: 0.5, new: 0.5572, delta: 0.0572, scale: "fraction" },
          { benchmark: "wiki", metric: "perplexity", old: 7.25, new: 7.5, delta: 0.25, scale: "raw" },
        ],
        card: "--- a\n+++ b\n-x\n+y",
      },
    });
    expect(html).not.toContain("[!WARNING]");
    expect(html).toContain(
      '<div class="callout callout-warning" role="note"><p class="callout-title">Warning</p><p>Do not use for &lt;b&gt;safety&lt;/b&gt;.</p>',
    );
    expect(html).toContain(
      '<div class="callout callout-note" role="note"><p class="callout-title">Note</p><p>Short.</p>',
    );
    expect(html).toContain("<blockquote>\n<p>a plain quote</p>\n</blockquote>");
    // Anchors are unique, and the table of contents lists the page's and the card's sections.
    expect(html).toContain('<h2 id="card-uses">Uses</h2>');
    expect(html).toContain('<h2 id="card-uses-1">Uses</h2>');
    expect(html).toContain('<li><a href="#card-uses">Uses</a></li><li><a href="#card-uses-1">Uses</a></li>');
    for (const [, href] of html.matchAll(/<a href="#([^"]+)">/g)) expect(html).toContain(`id="${href}"`);
    // Metadata and the card diff are collapsed; eval changes are percentages and points.
    expect(html).toMatch(/<details id="card-metadata"><summary>Metadata/);
    expect(html).toMatch(/<details id="changes-card"><summary>Diff of README.md/);
    expect(html).toContain("<td>50.0%</td><td>55.7%</td><td>+5.7 pp</td>");
    expect(html).toContain("<td>7.25</td><td>7.5</td><td>+0.25</td>");
    expect(html).not.toContain("0.5572");
  });
});
